import pytest
from django.urls import reverse

from music.models import Song
from tests.factories import SongFactory
from tests.helpers import finish_all_tasks


@pytest.fixture
def song(team, member, run_on_commit):
    from music.services import tasks

    run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params={"action": "generate", "prompt": "lofi study beats", "model": "chirp-v4"},
    )
    finish_all_tasks()
    return Song.objects.order_by("created_at").first()


def test_song_page_shows_player_lyrics_details_and_raw_answer(member_client, song):
    response = member_client.get(reverse("music:song", args=[song.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="{reverse("music:song_audio", args=[song.pk])}"' in html
    assert song.lyric.splitlines()[1] in html
    assert song.upstream_id in html
    assert "Family tree" in html
    assert "&quot;audio_url&quot;" in html  # the provider's raw answer, escaped


def test_audio_is_served_whole_with_accept_ranges(member_client, song):
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mpeg"
    body = b"".join(response.streaming_content)
    assert body == song.audio_file.open("rb").read()


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", None, None),
    ],
)
def test_range_requests_get_206(member_client, song, header, start, end):
    data = song.audio_file.open("rb").read()
    size = len(data)
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), HTTP_RANGE=header)
    assert response.status_code == 206
    if start is None:
        start, end = size - 50, size - 1
    end = size - 1 if end is None else end
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response.content == data[start : end + 1]


def test_unsatisfiable_range_gets_416(member_client, song):
    size = song.audio_file.size
    response = member_client.get(
        reverse("music:song_audio", args=[song.pk]), HTTP_RANGE=f"bytes={size + 10}-"
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_download_is_an_attachment_named_after_the_song(member_client, song):
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), {"download": "1"})
    assert "attachment" in response["Content-Disposition"]
    assert ".mp3" in response["Content-Disposition"]


def test_cover_is_served(member_client, song):
    response = member_client.get(reverse("music:song_cover", args=[song.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    "name", ["music:song", "music:song_audio", "music:song_cover", "music:song_card"]
)
def test_outsiders_get_404_for_every_song_url(client, outsider, song, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[song.pk])).status_code == 404


def test_viewers_can_listen(client, viewer, song):
    client.force_login(viewer)
    assert client.get(reverse("music:song_audio", args=[song.pk])).status_code == 200


def test_a_song_being_made_polls_for_its_state(member_client, team):
    song = SongFactory(team=team, state="running")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert 'hx-trigger="every 3s"' in html
    part = member_client.get(reverse("music:song_card", args=[song.pk]), {"part": "hero"})
    assert part.content.decode().lstrip().startswith('<section class="hero card"')


def test_a_failed_song_shows_why(member_client, team):
    song = SongFactory(team=team, state="failed", error_message="Prompt likely copyrighted.")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Prompt likely copyrighted." in html
