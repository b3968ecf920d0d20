"""Songs taken away as one ZIP, streamed as it is built (zipstream-ng): the audio of each
song under a name people recognise, with its lyrics as LRC and SRT where it has timing."""

from django.utils.text import slugify
from zipstream import ZIP_STORED, ZipStream

from music.models import LyricTiming, Relation, Song, SongState
from music.services import lyric_editor, media, mediatypes

CHUNK = 256 * 1024


def base_name(song, used):
    """A file name for `song` without extension, unique within one archive."""
    name = slugify(song.title, allow_unicode=True) or "song"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}-{n}", n + 1
    used.add(candidate)
    return candidate


def stored_chunks(field_file):
    """A stored file's bytes, a chunk at a time, opened only when the archive reaches it."""
    with field_file.storage.open(field_file.name, "rb") as fh:
        while data := fh.read(CHUNK):
            yield data


def timed_lines(song):
    timing = LyricTiming.objects.filter(song=song).only("words").first()
    if timing is None:
        return []
    return lyric_editor.timed_lines(lyric_editor.normalise_words(timing.words))


def audio_extension(song):
    media_type = media.served_type(song.audio_file, (mediatypes.AUDIO, mediatypes.VIDEO))
    return media_type.extension if media_type else ".bin"


def zip_songs(songs, folder="", numbered=False):
    """A sized ZipStream of the songs that have their audio in the studio (others skipped);
    `numbered` puts the order in the names.

    Audio is stored, not deflated: MP3 does not shrink, and a sized archive gives the
    browser a Content-Length (and so a progress bar) before the first byte.
    """
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    prefix = f"{folder}/" if folder else ""
    used = set()
    for number, song in enumerate(songs, start=1):
        if not song.audio_file:
            continue
        # A playlist's order survives in the names ("01-first-song.mp3").
        name = prefix + (f"{number:02d}-" if numbered else "") + base_name(song, used)
        archive.add(
            stored_chunks(song.audio_file),
            name + audio_extension(song),
            size=song.audio_file.size,
        )
        lines = timed_lines(song)
        if lines:
            artist = song.author.get_username() if song.author_id else ""
            archive.add(lyric_editor.to_lrc(lines, title=song.title, artist=artist), name + ".lrc")
            archive.add(lyric_editor.to_srt(lines), name + ".srt")
    return archive


def stems_of(song):
    """The song's stems that are ready, in the order they were made."""
    return list(
        Song.objects.filter(
            parent=song,
            relation__in=(Relation.STEM, Relation.ALL_STEMS, Relation.STEM_EXTRACTED),
            state=SongState.SUCCEEDED,
            trashed_at__isnull=True,
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
