import re

import pytest
from django.urls import reverse

from music.models import Song, SongState, Task, TaskState
from tests.helpers import finish_all_tasks, run_queued

URL = reverse("music:create")


def post(client, data, **extra):
    return client.post(URL, data, **extra)


def test_create_page_shows_both_modes_and_team_defaults(member_client, team):
    team.default_model = "chirp-v3-5"
    team.save()
    response = member_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="inspiration"' in html and 'value="custom"' in html
    assert '<option value="chirp-v3-5" selected>' in html


def test_describing_a_song_makes_two_songs(
    member_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            member_client,
            {"mode": "inspiration", "prompt": "a rainy city ballad", "model": "chirp-v4"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("music:library")
    task = Task.objects.get()
    assert task.created_by == member
    assert task.state == TaskState.SUBMITTED
    assert task.request_payload["prompt"] == "a rainy city ballad"
    assert task.request_payload["custom"] is False

    finish_all_tasks()
    assert Song.objects.filter(state=SongState.SUCCEEDED, author=member).count() == 2


def test_custom_mode_sends_lyrics_style_and_title(
    member_client, django_capture_on_commit_callbacks
):
    lyric = "[Verse]\nLine one\nLine two\n[Chorus]\nSing it"
    with django_capture_on_commit_callbacks(execute=True):
        post(
            member_client,
            {
                "mode": "custom",
                "lyric": lyric,
                "style": "rock",
                "style_negative": "metal",
                "title": "Roadtrip",
                "model": "chirp-v4",
            },
        )
    payload = Task.objects.get().request_payload
    assert payload["custom"] is True
    assert payload["lyric"] == lyric
    assert payload["style"] == "rock"
    assert payload["negative_tags"] == "metal"  # AceData's current name
    assert payload["title"] == "Roadtrip"
    finish_all_tasks()
    song = Song.objects.first()
    assert song.title == "Roadtrip"
    assert song.lyric == lyric


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"mode": "inspiration", "prompt": "", "model": "chirp-v4"},
            "prompt",
            "Describe the song you want.",
        ),
        (
            {"mode": "inspiration", "prompt": "x" * 501, "model": "chirp-v4"},
            "prompt",
            "the limit is 500",
        ),
        (
            {"mode": "custom", "lyric": "", "style": "pop", "model": "chirp-v4"},
            "lyric",
            "tick Instrumental",
        ),
        (
            {"mode": "custom", "lyric": "", "instrumental": "on", "model": "chirp-v4"},
            "style",
            "Add a style",
        ),
        (
            {"mode": "custom", "lyric": "x" * 3001, "model": "chirp-v4"},
            "lyric",
            "v4 allows at most 3000",
        ),
        (
            {"mode": "custom", "lyric": "la", "style": "s" * 201, "model": "chirp-v3-5"},
            "style",
            "allows at most 200",
        ),
        (
            {"mode": "custom", "lyric": "la", "title": "t" * 81, "model": "chirp-v4"},
            "title",
            "allows at most 80",
        ),
        (
            {"mode": "custom", "lyric": "x" * 5001, "model": "chirp-v4-5", "is_pro": "on"},
            "lyric",
            "allows at most 5000",
        ),
        (
            {"mode": "inspiration", "prompt": "song", "model": "chirp-v4-5"},
            "model",
            "only available in the Pro pool",
        ),
        ({"mode": "other", "prompt": "song", "model": "chirp-v4"}, "mode", "valid choice"),
        ({"mode": "inspiration", "prompt": "song", "model": "chirp-v9"}, "model", "valid choice"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message_and_kept(
    member_client, simulator, data, field, message
):
    response = post(member_client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert Task.objects.count() == 0
    assert simulator.requests == []


def test_long_lyrics_pass_on_v45_in_the_pro_pool(member_client):
    response = post(
        member_client,
        {
            "mode": "custom",
            "lyric": "x" * 4000,
            "style": "s" * 900,
            "model": "chirp-v4-5",
            "is_pro": "on",
        },
    )
    assert response.status_code == 302
    assert Task.objects.get().params["is_pro"] is True


def test_viewers_cannot_spend(client, viewer, simulator):
    client.force_login(viewer)
    response = post(client, {"mode": "inspiration", "prompt": "song", "model": "chirp-v4"})
    assert response.status_code == 403
    assert "Viewers can listen" in response.content.decode()
    assert Task.objects.count() == 0
    assert client.post(reverse("music:write_lyrics"), {"idea": "x"}).status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_write_lyrics_fills_the_lyrics_field_for_htmx(member_client, simulator):
    response = member_client.post(
        reverse("music:write_lyrics"),
        {"idea": "a road trip with old friends", "title": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="lyrics-field"' in html
    assert "[Verse]" in html and "[Chorus]" in html
    assert 'hx-swap-oob="outerHTML"' in html  # the title is filled in too
    assert simulator.requests == [("POST", "/suno/lyrics")]


def test_write_lyrics_works_without_javascript(member_client):
    response = member_client.post(
        reverse("music:write_lyrics"),
        {"idea": "winter snow", "mode": "inspiration", "model": "chirp-v4", "style": "folk"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "[Verse]" in html
    assert 'value="folk"' in html  # what the user typed is kept
    # The form switches to custom mode, where the written lyrics are.
    radios = {
        value: tag
        for tag, value in re.findall(r'(<input[^>]*name="mode"[^>]*value="(\w+)"[^>]*>)', html)
    }
    assert " checked" in radios["custom"]
    assert " checked" not in radios["inspiration"]


def test_write_lyrics_needs_an_idea(member_client, simulator):
    response = member_client.post(
        reverse("music:write_lyrics"), {"idea": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Give an idea for the lyrics first." in response.content.decode()
    assert simulator.requests == []


def test_write_lyrics_upstream_failure_is_shown_next_to_the_field(member_client, simulator):
    simulator.faults.next_errors.append((500, "api_error", "lyrics service down"))
    response = member_client.post(
        reverse("music:write_lyrics"), {"idea": "sea"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "lyrics service down" in response.content.decode()


def test_boost_style_expands_the_tags(member_client, simulator):
    response = member_client.post(
        reverse("music:boost_style"), {"style": "sad jazz"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="style-field"' in html
    assert "jazz" in html and "piano" in html
    assert simulator.requests == [("POST", "/suno/style")]


def test_boost_style_errors_are_explained(member_client, simulator):
    simulator.faults.next_errors.append((401, "invalid_token", "Invalid token"))
    response = member_client.post(
        reverse("music:boost_style"), {"style": "pop"}, HTTP_HX_REQUEST="true"
    )
    assert "Invalid token" in response.content.decode()


def test_posting_the_create_form_twice_makes_one_task_and_pays_once(
    member_client, simulator, django_capture_on_commit_callbacks
):
    """A double click, or a re-sent form after a slow answer: the same request key."""
    data = {
        "mode": "inspiration",
        "prompt": "a rainy city ballad",
        "model": "chirp-v4",
        "request_key": "create-key-42",
    }
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(member_client, data).status_code == 302
    run_queued()
    assert Task.objects.count() == 1
    assert [r for r in simulator.requests if r == ("POST", "/suno/audios")] == [
        ("POST", "/suno/audios")
    ]
    assert Song.objects.count() == 2
    # Another form (another key) is another song, paid for again.
    with django_capture_on_commit_callbacks(execute=True):
        post(member_client, {**data, "request_key": "create-key-43"})
    assert Task.objects.count() == 2
