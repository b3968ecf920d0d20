"""What a media file really is, from its first bytes, and the few kinds the studio keeps.

A provider's URL and Content-Type say nothing we can trust: a file named `.mp3` may be
HTML, one named `.html` may be a fine MP3. Serving a provider's HTML or script from our own
origin would run it as ours (stored XSS), so the type of every archived file is decided by
its content, checked against a short allow-list of audio, video and image formats, and the
same check chooses the Content-Type when the file is served back. Anything else (HTML,
JavaScript, SVG, PDF, archives...) is refused.

The magic-byte matchers come from `filetype` (small, pure Python, no dependencies), limited
to the allow-list and tried in a fixed order; MP3 has a matcher of our own because
`filetype` knows only three of the frame-sync headers.
"""

import posixpath
from dataclasses import dataclass

import filetype
from filetype.types import audio, image, video
from filetype.types.base import Type

HEAD_BYTES = 8192  # what the matchers look at (Matroska's doctype sits a little way in)


@dataclass(frozen=True)
class MediaType:
    kind: str  # "audio", "video" or "image"
    content_type: str
    extension: str  # with the dot


class _Mp3(Type):
    """MP3: an ID3v2 tag, or an MPEG audio Layer III frame header."""

    def __init__(self):
        super().__init__(mime="audio/mpeg", extension="mp3")

    def match(self, buf):
        if len(buf) >= 10 and bytes(buf[:3]) == b"ID3":  # an ID3v2 header is 10 bytes
            return True
        if len(buf) < 4 or buf[0] != 0xFF or buf[1] & 0xE0 != 0xE0:  # a frame header, 4
            return False
        version = (buf[1] >> 3) & 0b11  # 01 is reserved
        layer = (buf[1] >> 1) & 0b11  # 01 is Layer III (00 is reserved, and ADTS AAC)
        bitrate, rate = buf[2] >> 4, (buf[2] >> 2) & 0b11
        return version != 0b01 and layer == 0b01 and bitrate != 0xF and rate != 0b11


# filetype's matcher, our type: (matcher, kind, Content-Type we send, extension we store).
_ALLOWED = (
    (_Mp3(), "audio", "audio/mpeg", ".mp3"),
    (audio.Wav(), "audio", "audio/wav", ".wav"),
    (audio.Flac(), "audio", "audio/flac", ".flac"),
    (audio.Ogg(), "audio", "audio/ogg", ".ogg"),
    (audio.M4a(), "audio", "audio/mp4", ".m4a"),  # before Mp4: both are "ftyp" boxes
    (video.Mp4(), "video", "video/mp4", ".mp4"),
    (video.Webm(), "video", "video/webm", ".webm"),
    (video.Mkv(), "video", "video/x-matroska", ".mkv"),
    (image.Png(), "image", "image/png", ".png"),  # an APNG is a PNG too
    (image.Jpeg(), "image", "image/jpeg", ".jpg"),
    (image.Gif(), "image", "image/gif", ".gif"),
    (image.Webp(), "image", "image/webp", ".webp"),
)
_BY_MATCHER = {id(m): MediaType(kind, ct, ext) for m, kind, ct, ext in _ALLOWED}
_BY_EXTENSION = {t.extension: t for t in _BY_MATCHER.values()}
_MATCHERS = tuple(m for m, *_ in _ALLOWED)

AUDIO, VIDEO, IMAGE = "audio", "video", "image"
ANY = (AUDIO, VIDEO, IMAGE)


def sniff(head):
    """The MediaType of a file from its first bytes, or None when it is not one we keep."""
    if not head:
        return None
    found = filetype.match(bytearray(head[:HEAD_BYTES]), matchers=_MATCHERS)
    return _BY_MATCHER.get(id(found)) if found is not None else None


def sniff_file(field_file):
    """The MediaType of a stored file (read from its head, never its name), or None."""
    with field_file.storage.open(field_file.name, "rb") as handle:
        return sniff(handle.read(HEAD_BYTES))


def from_stored_name(name):
    """The MediaType a file was archived as, from the extension we stored it under, or None.

    Archiving names every file by its sniffed type (music.services.media.fetch_one), so the
    name carries what the bytes were found to be without reading them again.
    """
    return _BY_EXTENSION.get(posixpath.splitext(name)[1].lower())
