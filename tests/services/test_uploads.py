"""A member's own audio: judged by its content, measured by mutagen, kept within the limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from music.models import AudioUpload
from music.services import uploads
from tests.mediafiles import audio, image


def upload_of(data, name):
    return SimpleUploadedFile(name, data, content_type="audio/mpeg")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("mp3", "audio/mpeg"),
        ("wav", "audio/wav"),
        ("flac", "audio/flac"),
        ("m4a", "audio/mp4"),
        ("ogg", "audio/ogg"),
    ],
)
def test_every_format_providers_take_is_read_with_its_length(fmt, content_type):
    found, duration = uploads.inspect(upload_of(audio(fmt, seconds=2), "anything.bin"))
    assert found.content_type == content_type
    assert duration == pytest.approx(2, abs=0.1)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"just some notes I wrote\n" * 50,
        image("PNG"),
        b"",
    ],
)
def test_an_mp3_name_on_what_is_not_audio_is_refused(data):
    with pytest.raises(uploads.UploadRefused, match="not audio the providers take"):
        uploads.inspect(upload_of(data, "my song.mp3"))


def test_audio_whose_length_cannot_be_read_is_refused():
    # Looks like an MP3 for its first bytes (an ID3 tag), then nothing playable.
    data = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 4000
    with pytest.raises(uploads.UploadRefused, match="length of this audio could not be read"):
        uploads.inspect(upload_of(data, "broken.mp3"))


def test_size_and_length_limits(settings):
    data = audio("wav", seconds=3)  # about 264 kB
    settings.STUDIO_UPLOAD_MAX_MB = 0.1
    with pytest.raises(uploads.UploadRefused, match="up to 0.1 MB"):
        uploads.inspect(upload_of(data, "long.wav"))
    settings.STUDIO_UPLOAD_MAX_MB = 1
    settings.STUDIO_UPLOAD_MAX_SECONDS = 2
    with pytest.raises(uploads.UploadRefused, match="lasts 0:03; audio of up to 0:02"):
        uploads.inspect(upload_of(data, "long.wav"))
    settings.STUDIO_UPLOAD_MAX_SECONDS = 3
    assert uploads.inspect(upload_of(data, "long.wav"))[1] == pytest.approx(3, abs=0.05)


def test_store_keeps_the_file_under_the_type_its_bytes_say(membership):
    data = audio("flac")
    stored = uploads.store(membership, upload_of(data, "Demo take 3.mp3"))
    stored = AudioUpload.objects.get(pk=stored.pk)
    assert stored.team == membership.team
    assert stored.file.name == f"teams/{membership.team_id}/uploads/{stored.pk}.flac"
    assert stored.content_type == "audio/flac"
    assert stored.file.read() == data
    assert stored.original_name == "Demo take 3.mp3"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Demo take 3.mp3", "Demo take 3"),
        ("C:\\Users\\me\\Music\\晚风.flac", "晚风"),
        ("/songs/my%20song.mp3", "my%20song"),
        ("no extension", "no extension"),
        (".hidden", ".hidden"),
    ],
)
def test_title_from_name(name, title):
    assert uploads.title_from_name(name) == title


@pytest.fixture
def membership(member, team):
    return member.memberships.get(team=team)
