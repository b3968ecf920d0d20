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
    assert response["Content-Length"] == str(end - start + 1)
    assert b"".join(response.streaming_content) == data[start : end + 1]  # streamed, not held


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
    assert 'hx-trigger="every 1s"' in html
    part = member_client.get(reverse("music:song_card", args=[song.pk]), {"part": "hero"})
    assert part.content.decode().lstrip().startswith('<section class="hero card"')


def test_a_failed_song_shows_why(member_client, team):
    song = SongFactory(team=team, state="failed", error_message="Prompt likely copyrighted.")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Prompt likely copyrighted." in html


# --- stored media is served as what it is, and provider links are not trusted --------------
MEDIA_CSP = "sandbox; default-src 'none'"


def assert_media_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == MEDIA_CSP


def test_media_responses_carry_nosniff_and_a_sandbox_csp(member_client, song):
    audio = reverse("music:song_audio", args=[song.pk])
    for response in (
        member_client.get(audio),
        member_client.get(audio, HTTP_RANGE="bytes=0-9"),
        member_client.get(audio, HTTP_RANGE=f"bytes={song.audio_file.size + 5}-"),
        member_client.get(reverse("music:song_cover", args=[song.pk])),
    ):
        assert response.status_code in (200, 206, 416)
        assert_media_headers(response)


def test_an_mp3_archived_from_an_html_link_is_served_as_audio_mpeg(member_client, team, settings):
    from music.services import media
    from music.upstream.base import Clip, ClipState
    from tests.localserver import Route, local_server
    from tests.mediafiles import mp3_frames

    data = mp3_frames()
    with local_server({"/x.html": Route(data, headers={"Content-Type": "text/html"})}) as cdn:
        settings.SUNO_MEDIA_HOSTS = ["127.0.0.1"]
        settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [cdn.host_port]
        clip = Clip(id="c", state=ClipState.SUCCEEDED, audio_url=cdn.url("/x.html"))
        archived = media.fetch_clip_media(clip)
    song = SongFactory(team=team, title="Disguised")
    archived.attach(song)
    song.save()
    assert song.audio_file.name.endswith(".mp3")
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), {"download": "1"})
    assert response["Content-Type"] == "audio/mpeg"
    assert ".mp3" in response["Content-Disposition"]
    assert_media_headers(response)
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize(
    ("field", "name", "body"),
    [
        ("audio_file", "music:song_audio", b"<html><script>alert(document.cookie)</script>"),
        ("image_file", "music:song_cover", b"alert(document.cookie)"),
        ("image_file", "music:song_cover", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
)
def test_a_stored_file_that_is_not_media_goes_out_as_an_opaque_download(
    member_client, team, field, name, body
):
    """E.g. a file archived before types were checked, named .html or .js."""
    from django.core.files.base import ContentFile

    song = SongFactory(team=team)
    getattr(song, field).save("legacy.html", ContentFile(body))
    response = member_client.get(reverse(name, args=[song.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert ".html" not in response["Content-Disposition"]
    assert_media_headers(response)


def test_an_image_is_not_served_as_the_songs_audio(member_client, team):
    from django.core.files.base import ContentFile

    from tests.mediafiles import image

    song = SongFactory(team=team)
    song.audio_file.save("audio.mp3", ContentFile(image("PNG")))
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/song.mp3",
        "https://cdn1.suno.ai\t/x.mp3",
    ],
)
def test_a_provider_link_is_shown_or_followed_only_on_an_allowed_media_host(
    member_client, team, url
):
    song = SongFactory(team=team, audio_url=url, archive_error="Refused.")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Open it at the provider" not in html
    assert "javascript:" not in html.lower()
    assert "evil.example" not in html
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert response.status_code == 404


def test_a_link_on_an_allowed_media_host_is_shown_and_followed(member_client, team):
    url = "https://cdn1.suno.ai/song.mp3"
    song = SongFactory(team=team, audio_url=url, archive_error="Refused.")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert f'href="{url}"' in html
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert response.status_code == 302 and response["Location"] == url


def test_the_song_page_knows_what_is_already_made_from_a_song(member_client, team):
    from music.models import LyricTiming, Relation

    root = SongFactory(team=team, title="Root")
    fragment = SongFactory(
        team=team, parent=root, root=root, relation=Relation.EXTENDED, is_fragment=True
    )
    url = reverse("music:song", args=[fragment.pk])
    before = member_client.get(url).content.decode()
    assert "Already joined" not in before and "Already split" not in before
    assert "Fetch lyric timing" in before
    for relation in (Relation.CONCATENATED, Relation.STEM):
        SongFactory(team=team, parent=fragment, root=root, relation=relation)
    LyricTiming.objects.create(song=fragment, words=[])
    after = member_client.get(url).content.decode()
    assert "Already joined: the whole song is in the family tree." in after
    assert "Already split: the stems are in the family tree." in after
    assert "Fetch lyric timing" not in after


def test_the_answer_and_the_request_read_as_sent_in_chinese_and_indented(member_client, song):
    """A musician reads the provider's JSON as written: Chinese as Chinese, two-space indents."""
    # One key: PostgreSQL's jsonb keeps keys in an order of its own.
    Song.objects.filter(pk=song.pk).update(raw={"tags": ["民谣", "春节快乐"]})
    song.task.request_payload = {"prompt": "一首关于春天的歌"}
    song.task.save(update_fields=["request_payload"])
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    html = html.replace("&quot;", '"')
    assert '{\n  "tags": [\n    "民谣",\n    "春节快乐"\n  ]\n}' in html
    assert '{\n  "prompt": "一首关于春天的歌"\n}' in html


def test_a_failed_song_offers_its_members_to_try_again(client, team, member, viewer):
    from tests.factories import TaskFactory

    task = TaskFactory(team=team, created_by=member, state="failed", action="generate")
    failed = SongFactory(team=team, task=task, state="failed")
    made = SongFactory(team=team, task=TaskFactory(team=team, state="failed"), state="succeeded")
    again = reverse("music:create") + f"?retry={task.pk}"
    client.force_login(member)
    assert f'href="{again}"' in client.get(reverse("music:song", args=[failed.pk])).content.decode()
    # A song that was made is not made again from its page, whatever became of its job.
    assert "Try again" not in client.get(reverse("music:song", args=[made.pk])).content.decode()
    client.force_login(viewer)  # viewers spend nothing
    assert "Try again" not in client.get(reverse("music:song", args=[failed.pk])).content.decode()


def test_a_songs_live_card_is_its_library_card_unless_the_hero_is_asked(member_client, team):
    song = SongFactory(team=team, state="running")
    url = reverse("music:song_card", args=[song.pk])
    assert member_client.get(url).content.decode().lstrip().startswith("<article")
    hero = member_client.get(url, {"part": "hero"}).content.decode()
    assert hero.lstrip().startswith('<section class="hero card"')
