import json

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.text import slugify

from music.services import library, media
from music.views.decorators import team_required


@team_required
def song_detail(request, song_id):
    song = library.get_song(request.team, song_id)
    ancestors, children = library.song_family(song)
    context = {
        "song": song,
        "task": song.task,
        "ancestors": ancestors,
        "children": children,
        "raw_json": json.dumps(song.raw, indent=2, ensure_ascii=False),
        "request_json": json.dumps(song.task.request_payload, indent=2, ensure_ascii=False)
        if song.task
        else "",
    }
    return render(request, "music/song_detail.html", context)


@team_required
def song_card(request, song_id):
    """The live part of a song (state, player) for HTMX polling."""
    song = library.get_song(request.team, song_id)
    template = (
        "music/partials/song_hero.html"
        if request.GET.get("part") == "hero"
        else "music/partials/song_card.html"
    )
    return render(request, template, {"song": song})


def _filename(song, ext):
    base = slugify(song.title, allow_unicode=True) or "song"
    return f"{base}-{song.upstream_id[:8]}{ext}"


@team_required
def song_audio(request, song_id):
    song = library.get_song(request.team, song_id)
    if not song.audio_file:
        if song.is_ready and song.audio_url:
            return HttpResponseRedirect(song.audio_url)  # not archived (refused host)
        raise Http404("No audio yet.")
    download = request.GET.get("download") == "1"
    ext = "." + song.audio_file.name.rsplit(".", 1)[-1]
    return media.serve_file(
        request, song.audio_file, filename=_filename(song, ext), as_attachment=download
    )


@team_required
def song_cover(request, song_id):
    song = library.get_song(request.team, song_id)
    if not song.image_file:
        raise Http404("No cover yet.")
    ext = "." + song.image_file.name.rsplit(".", 1)[-1]
    return media.serve_file(
        request,
        song.image_file,
        filename=_filename(song, ext),
        as_attachment=request.GET.get("download") == "1",
    )
