"""A member's own audio: checked, stored, and lent to the provider through a signed link.

The file is judged by its content, never its name or the browser's type: the first bytes
must be one of the audio formats providers take (`mediatypes.sniff`), and mutagen must read
its length from the headers, within the studio's limits. It is kept through the storage API
(local disk or a bucket) and offered as `STUDIO_PUBLIC_URL/files/<id>/<token>/audio.<ext>`:
the token is signed with SECRET_KEY, names one upload of one team, and expires after
`STUDIO_UPLOAD_LINK_MINUTES`, so the link can read that file only, and only for a while.
"""

import logging
from dataclasses import dataclass
from pathlib import PurePath

import mutagen
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from music.models import AudioUpload
from music.services import mediatypes

log = logging.getLogger(__name__)

# The audio formats providers take, by the Content-Type `mediatypes.sniff` decides.
AUDIO_TYPES = {
    "audio/mpeg": "MP3",
    "audio/wav": "WAV",
    "audio/flac": "FLAC",
    "audio/mp4": "M4A",
    "audio/ogg": "OGG",
}
ACCEPT = ".mp3,.wav,.flac,.m4a,.ogg,audio/mpeg,audio/wav,audio/flac,audio/mp4,audio/ogg"
TOKEN_SALT = "music.upload-link"


class UploadRefused(Exception):
    """The file cannot be used; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_seconds: int
    formats: str = ", ".join(AUDIO_TYPES.values())

    @property
    def max_mb(self):
        return f"{round(self.max_bytes / (1024 * 1024), 2):g}"

    @property
    def max_length(self):
        return clock(self.max_seconds)


def limits():
    max_bytes = int(settings.STUDIO_UPLOAD_MAX_MB * 1024 * 1024)
    return Limits(max_bytes, settings.STUDIO_UPLOAD_MAX_SECONDS)


def title_from_name(name):
    """A song title from a file name: its stem, as the musician named it."""
    stem = PurePath(name.replace("\\", "/")).name
    if "." in stem.strip("."):
        stem = stem.rsplit(".", 1)[0]
    return " ".join(stem.split())[:200]


def inspect(uploaded):
    """(MediaType, duration in seconds) of an uploaded file, or UploadRefused with the reason."""
    bounds = limits()
    if uploaded.size > bounds.max_bytes:
        raise UploadRefused(
            _("The file is %(size)s MB; files of up to %(max)s MB can be uploaded.")
            % {"size": round(uploaded.size / (1024 * 1024), 1), "max": bounds.max_mb}
        )
    uploaded.seek(0)
    found = mediatypes.sniff(uploaded.read(mediatypes.HEAD_BYTES))
    if found is None or found.content_type not in AUDIO_TYPES:
        raise UploadRefused(
            _("This file is not audio the providers take; they take %(formats)s.")
            % {"formats": bounds.formats}
        )
    uploaded.seek(0)
    try:
        # Read as the type its bytes are: a FLAC named .mp3 is not tried as an MP3.
        audio = mutagen.File(uploaded, options=_readers()[found.content_type])
        duration = float(audio.info.length) if audio is not None else 0.0
    except (mutagen.MutagenError, AttributeError, ValueError, OverflowError):
        log.info("could not read the length of an uploaded %s", found.extension)
        duration = 0.0
    finally:
        uploaded.seek(0)
    if not duration > 0:
        raise UploadRefused(
            _(
                "The length of this audio could not be read: is the file complete? Try "
                "exporting it again."
            )
        )
    if duration > bounds.max_seconds:
        raise UploadRefused(
            _("The audio lasts %(length)s; audio of up to %(limit)s can be uploaded.")
            % {"length": clock(duration), "limit": clock(bounds.max_seconds)}
        )
    return found, duration


def _readers():
    from mutagen import flac, mp3, mp4, oggflac, oggopus, oggvorbis, wave

    return {
        "audio/mpeg": [mp3.MP3],
        "audio/wav": [wave.WAVE],
        "audio/flac": [flac.FLAC],
        "audio/mp4": [mp4.MP4],
        "audio/ogg": [oggvorbis.OggVorbis, oggopus.OggOpus, oggflac.OggFLAC],
    }


def clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def store(membership, uploaded):
    """Check and keep a member's file; returns the AudioUpload, or raises UploadRefused."""
    found, duration = inspect(uploaded)
    upload = AudioUpload(
        team=membership.team,
        uploaded_by=membership.user,
        original_name=PurePath((uploaded.name or "").replace("\\", "/")).name[:255],
        content_type=found.content_type,
        size=uploaded.size,
        duration=round(duration, 3),
    )
    # Stored under the sniffed type's extension, whatever the name claimed.
    upload.file.save(f"audio{found.extension}", uploaded, save=False)
    upload.save()
    return upload


def link_name(upload):
    return f"audio{PurePath(upload.file.name).suffix}"


def link_token(upload):
    """A signed, timestamped token naming one upload of one team."""
    return signing.dumps({"u": str(upload.pk), "t": upload.team_id}, salt=TOKEN_SALT)


def public_link(upload, token=None):
    """The signed link the provider fetches the file from (read-only, one file, expiring)."""
    token = token or link_token(upload)
    path = reverse("music:upload_file", args=[upload.pk, token, link_name(upload)])
    return f"{settings.STUDIO_PUBLIC_URL}{path}"


def task_upload(task):
    """The AudioUpload an upload task sends, or None when it is gone."""
    return AudioUpload.objects.filter(pk=task.params.get("upload_id"), team=task.team_id).first()


class LinkExpired(Exception):
    pass


def upload_for_link(upload_id, token, name):
    """The AudioUpload a link names, or None when the link is not one we made for it.
    Raises LinkExpired for a link made for this file that is too old."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != str(upload_id):
        return None
    upload = AudioUpload.objects.filter(pk=upload_id, team_id=payload.get("t")).first()
    if upload is None or name != link_name(upload):
        return None
    # Age is judged only for a link that names this very file: others learn nothing.
    try:
        signing.loads(token, salt=TOKEN_SALT, max_age=settings.STUDIO_UPLOAD_LINK_MINUTES * 60)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    return upload
