"""ZIP downloads: a song's stems (and, later, any selection) as one streamed archive."""

from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from music.services import exports, library
from music.views.decorators import team_required


def zip_response(archive, filename):
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@team_required
def song_stems_zip(request, song_id):
    """Every ready stem of the song, with lyrics beside those that have timing."""
    song = library.get_song(request.team, song_id)
    stems = [stem for stem in exports.stems_of(song) if stem.audio_file]
    if not stems:
        raise Http404("No stems in the studio for this song.")
    name = slugify(song.title, allow_unicode=True) or "song"
    archive = exports.zip_songs(stems, folder=f"{name}-stems")
    return zip_response(archive, f"{name}-stems.zip")
