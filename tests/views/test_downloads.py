"""Song files: other teams get 404 for every one, Range ends are clamped, names follow titles."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import MembershipFactory, SongFactory, TaskFactory
from tests.mediafiles import image, mp3_frames

AUDIO = mp3_frames(0.5)


@pytest.fixture
def stored_song(team):
    """A finished song with every file stored (real MP3 bytes, so each is served as audio)."""
    song = SongFactory(team=team, title="Rainy Night Ballad", upstream_id="abcdef1234567890")
    song.audio_file.save("audio.mp3", ContentFile(AUDIO), save=False)
    song.image_file.save("cover.png", ContentFile(image("PNG")), save=False)
    song.wav_file.save("audio.wav", ContentFile(AUDIO), save=False)
    song.video_file.save("video.mp4", ContentFile(AUDIO), save=False)
    song.save()
    return song


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", ["music:song_wav", "music:song_video", "music:song_in_flight"])
def test_another_teams_song_files_and_progress_are_404(client, outsider, owner, stored_song, name):
    url = reverse(name, args=[stored_song.pk])
    client.force_login(owner)
    assert client.get(url).status_code == 200  # the control: the URL serves its own team
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 404
    assert AUDIO[:64] not in body(response)


def test_another_teams_work_in_flight_is_not_listed(client, outsider, stored_song, member):
    """The in-flight list names the task's action; it must not reach another team."""
    TaskFactory(
        team=stored_song.team,
        created_by=member,
        source_song=stored_song,
        action="stems",
        state="running",
        params={"action": "stems"},
    )
    client.force_login(outsider)
    response = client.get(reverse("music:song_in_flight", args=[stored_song.pk]))
    assert response.status_code == 404


def test_a_range_past_the_end_is_clamped_to_the_file(member_client, stored_song):
    size = len(AUDIO)
    response = member_client.get(
        reverse("music:song_audio", args=[stored_song.pk]), HTTP_RANGE="bytes=0-999999999"
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert response["Content-Length"] == str(size)
    assert body(response) == AUDIO


def test_a_range_from_the_middle_past_the_end_is_clamped(member_client, stored_song):
    size = len(AUDIO)
    response = member_client.get(
        reverse("music:song_audio", args=[stored_song.pk]), HTTP_RANGE=f"bytes=100-{size * 10}"
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-{size - 1}/{size}"
    assert response["Content-Length"] == str(size - 100)
    assert body(response) == AUDIO[100:]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("music:song_audio", {"download": "1"}),
        ("music:song_wav", {}),  # always a download
        ("music:song_video", {"download": "1"}),
    ],
)
def test_downloads_are_named_after_the_songs_title(member_client, stored_song, name, query):
    response = member_client.get(reverse(name, args=[stored_song.pk]), query)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="rainy-night-ballad-abcdef12.mp3"' in disposition


def test_a_chinese_title_names_the_download_in_chinese(member_client, team):
    song = SongFactory(team=team, title="春节 快乐", upstream_id="fedcba9876543210")
    song.audio_file.save("audio.mp3", ContentFile(AUDIO))
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), {"download": "1"})
    assert f"filename*=utf-8''{quote('春节-快乐-fedcba98.mp3')}" in response["Content-Disposition"]


def test_a_viewer_downloads_too(client, team, stored_song):
    viewer = MembershipFactory(team=team, role="viewer").user
    client.force_login(viewer)
    response = client.get(reverse("music:song_wav", args=[stored_song.pk]))
    assert response.status_code == 200
    assert body(response) == AUDIO


def audio_range(client, song, header, **query):
    return client.get(reverse("music:song_audio", args=[song.pk]), query, HTTP_RANGE=header)


def test_a_suffix_range_longer_than_the_file_is_the_whole_file(member_client, stored_song):
    size = len(AUDIO)
    response = audio_range(member_client, stored_song, f"bytes=-{size * 3}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert body(response) == AUDIO


def test_a_suffix_range_is_the_files_last_bytes(member_client, stored_song):
    size = len(AUDIO)
    response = audio_range(member_client, stored_song, "bytes=-100")
    assert response["Content-Range"] == f"bytes {size - 100}-{size - 1}/{size}"
    assert body(response) == AUDIO[-100:]


@pytest.mark.parametrize("header", ["bytes=-", "bytes=0-1,5-9", "pages=1-2", "bytes=x-"])
def test_a_range_the_studio_does_not_take_gets_the_whole_file(member_client, stored_song, header):
    response = audio_range(member_client, stored_song, header)
    assert response.status_code == 200
    assert body(response) == AUDIO


@pytest.mark.parametrize("header", ["bytes=200-100", "bytes={size}-", "bytes={past}-{more}"])
def test_a_range_outside_the_file_or_backwards_is_416(member_client, stored_song, header):
    size = len(AUDIO)
    header = header.format(size=size, past=size + 10, more=size + 20)
    response = audio_range(member_client, stored_song, header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_a_listened_range_is_not_a_download_and_a_downloaded_one_is(member_client, stored_song):
    listened = audio_range(member_client, stored_song, "bytes=0-99")
    assert listened.status_code == 206
    assert "Content-Disposition" not in listened
    downloaded = audio_range(member_client, stored_song, "bytes=0-99", download="1")
    assert downloaded.status_code == 206
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert 'filename="rainy-night-ballad-abcdef12.mp3"' in downloaded["Content-Disposition"]


def test_an_empty_suffix_is_416(member_client, stored_song):
    assert audio_range(member_client, stored_song, "bytes=-0").status_code == 416


def test_a_one_byte_range_is_served(member_client, stored_song):
    """Safari asks for `bytes=0-1` and then single bytes before it plays."""
    size = len(AUDIO)
    response = audio_range(member_client, stored_song, "bytes=7-7")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 7-7/{size}"
    assert body(response) == AUDIO[7:8]
