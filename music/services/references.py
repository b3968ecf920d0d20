"""Lending the team's songs to a provider as reference recordings (inspo, issue #15).

Like a member's upload (services.uploads), a song's stored audio is offered as
`STUDIO_PUBLIC_URL/files/songs/<id>/<token>/audio.<ext>`: the token is signed with SECRET_KEY,
names one song of one team, and expires after `STUDIO_UPLOAD_LINK_MINUTES`; the links are
made when the task is sent, and their tokens are kept out of what the task stores.
"""

from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.urls import reverse

from music.models import Song

TOKEN_SALT = "music.song-link"


class ReferenceMissing(Exception):
    """A reference song (or its audio) is gone since the task was asked for."""


def link_name(song):
    return f"audio{PurePath(song.audio_file.name).suffix or '.mp3'}"


def link_token(song):
    return signing.dumps({"s": str(song.pk), "t": song.team_id}, salt=TOKEN_SALT)


def public_link(song, token):
    path = reverse("music:song_file", args=[song.pk, token, link_name(song)])
    return f"{settings.STUDIO_PUBLIC_URL}{path}"


def lend(task):
    """(audio_urls, tokens) for the task's reference songs, in its order; ReferenceMissing
    when one of them or its audio is no longer in the studio."""
    ids = task.params.get("reference_songs") or []
    songs = {str(s.pk): s for s in Song.objects.filter(pk__in=ids, team=task.team_id)}
    urls, tokens = [], []
    for song_id in ids:
        song = songs.get(str(song_id))
        if song is None or not song.audio_file:
            raise ReferenceMissing(song_id)
        token = link_token(song)
        tokens.append(token)
        urls.append(public_link(song, token))
    return urls, tokens


def hide(payload, tokens):
    """The payload with every token replaced by `mark` (strings and lists of strings)."""
    from music.upstream.base import SECRET_MARK

    def clean(value):
        if isinstance(value, str):
            for token in tokens:
                value = value.replace(token, SECRET_MARK)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {k: clean(v) for k, v in payload.items()}


class LinkExpired(Exception):
    pass


def song_for_link(song_id, token, name):
    """The Song a link names, or None when the link is not one we made for it; LinkExpired
    for a link made for this song that is too old."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != str(song_id):
        return None
    song = Song.objects.filter(pk=song_id, team_id=payload.get("t")).first()
    if song is None or not song.audio_file or name != link_name(song):
        return None
    try:
        signing.loads(token, salt=TOKEN_SALT, max_age=settings.STUDIO_UPLOAD_LINK_MINUTES * 60)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    return song
