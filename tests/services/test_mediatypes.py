"""Media types are decided from the bytes: a short allow-list, everything else refused."""

import dataclasses

import pytest

from music.services import mediatypes
from tests.mediafiles import image, mp3_frames


def ebml(doctype):
    return b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82" + bytes([0x80 | len(doctype)]) + doctype


@pytest.mark.parametrize(
    ("data", "content_type", "extension", "kind"),
    [
        (lambda: mp3_frames(), "audio/mpeg", ".mp3", "audio"),
        (lambda: b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3_frames(), "audio/mpeg", ".mp3", "audio"),
        (lambda: b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00", "audio/wav", ".wav", "audio"),
        (lambda: b"fLaC\x00\x00\x00\x22" + bytes(34), "audio/flac", ".flac", "audio"),
        (lambda: b"OggS\x00\x02" + bytes(30), "audio/ogg", ".ogg", "audio"),
        (
            lambda: b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isommp42",
            "audio/mp4",
            ".m4a",
            "audio",
        ),
        (
            lambda: b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
            "video/mp4",
            ".mp4",
            "video",
        ),
        (lambda: ebml(b"webm") + bytes(20), "video/webm", ".webm", "video"),
        (lambda: ebml(b"matroska") + bytes(20), "video/x-matroska", ".mkv", "video"),
        (lambda: image("PNG"), "image/png", ".png", "image"),
        (lambda: image("JPEG"), "image/jpeg", ".jpg", "image"),
        (lambda: image("GIF"), "image/gif", ".gif", "image"),
        (lambda: image("WEBP"), "image/webp", ".webp", "image"),
    ],
)
def test_allowed_types_are_recognised(data, content_type, extension, kind):
    found = mediatypes.sniff(data())
    assert found == mediatypes.MediaType(kind, content_type, extension)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<!doctype html><html><script>alert(document.cookie)</script></html>",
        b"<html><body onload=alert(1)>",
        b"alert(document.cookie); fetch('/admin/')",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"%PDF-1.7\n",
        b"PK\x03\x04" + bytes(30),  # a zip
        b"\xff\xf1\x50\x80\x02\x1f\xfc",  # ADTS AAC: not on the list
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00",  # UTF-16 HTML with a BOM
        b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ",  # QuickTime
    ],
)
def test_anything_else_is_refused(data):
    assert mediatypes.sniff(data) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("teams/1/songs/x/audio.mp3", ("audio", "audio/mpeg")),
        ("teams/1/songs/x/audio_Ab3dE9f.MP3", ("audio", "audio/mpeg")),  # a renamed second file
        ("teams/1/songs/x/cover.png", ("image", "image/png")),
        ("teams/1/songs/x/wav.wav", ("audio", "audio/wav")),
        ("teams/1/songs/x/mp4.mp4", ("video", "video/mp4")),
        ("teams/1/songs/x/legacy.html", None),
        ("teams/1/songs/x/cover.svg", None),
        ("teams/1/songs/x.mp3/audio", None),
        ("teams/1/songs/x/audio", None),
    ],
)
def test_the_type_a_file_was_archived_as_is_read_from_its_stored_name(name, expected):
    found = mediatypes.from_stored_name(name)
    assert (None if found is None else (found.kind, found.content_type)) == expected


def test_every_stored_extension_names_the_type_it_was_sniffed_as():
    for data in (mp3_frames(), image("PNG"), image("JPEG"), image("GIF"), image("WEBP")):
        sniffed = mediatypes.sniff(data)
        assert mediatypes.from_stored_name(f"x/file{sniffed.extension}") == sniffed


PAD = bytes(64)


@pytest.mark.parametrize(
    ("header", "is_mp3"),
    [
        (b"\xff\xfb\x90\x44", True),  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
        (b"\xff\xf3\x90\x44", True),  # MPEG-2 Layer III
        (b"\xff\xe3\x90\x44", True),  # MPEG-2.5 Layer III
        (b"\xff\xfd\x90\x44", False),  # Layer II: not MP3
        (b"\xff\xff\x90\x44", False),  # Layer I
        (b"\xff\xf9\x90\x44", False),  # layer 00: reserved (and ADTS AAC's)
        (b"\xff\xeb\x90\x44", False),  # version 01: reserved
        (b"\xff\xfb\xf0\x44", False),  # bitrate 1111: bad
        (b"\xff\xfb\x9c\x44", False),  # sample rate 11: reserved
        (b"\xff\xfb\x8c\x44", False),  # the same at 112 kbit/s (its last bit 0)
        (b"\xff\xfb\x98\x44", True),  # 32 kHz, the rate beside the reserved one
        (b"\xfe\xfb\x90\x44", False),  # no frame sync
        (b"\xff\xdb\x90\x44", False),  # frame sync one bit short
    ],
)
def test_a_bare_mp3_frame_header_is_read_bit_by_bit(header, is_mp3):
    found = mediatypes.sniff(header + PAD)
    assert (found is not None and found.content_type == "audio/mpeg") is is_mp3


def test_an_mp3_needs_a_whole_id3_header_or_a_whole_frame_header():
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"  # ID3v2.4, no flags, no size yet
    assert mediatypes.sniff(tag).content_type == "audio/mpeg"
    assert mediatypes.sniff(tag[:9]) is None
    assert mediatypes.sniff(b"\xff\xfb\x90\x44").content_type == "audio/mpeg"
    assert mediatypes.sniff(b"\xff\xfb\x90") is None


def test_a_sniffed_type_is_a_shared_value_no_request_can_change():
    found = mediatypes.sniff(mp3_frames())
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.extension = ".exe"
    assert mediatypes.sniff(mp3_frames()).extension == ".mp3"
