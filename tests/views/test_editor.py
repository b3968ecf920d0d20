"""The section editor's pages: timing, preview, submit, refusals and lyric exports."""

import json

import pytest
from django.urls import reverse

from music.models import LyricTiming, Relation, Song, SongState, Task, TaskState
from tests.factories import SongFactory
from tests.helpers import make_song, run_queued

LYRIC = (
    "[Verse]\nLine one of the verse\nLine two of the verse\n"
    "[Chorus]\nSing the chorus now\nSing it once again"
)


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 40  # room for every line
    song = make_song(team, member, lyric=LYRIC)
    from music.services import actions

    actions.fetch_timing(member.memberships.get(team=team), song)
    run_queued()
    return song


def editor(song):
    return reverse("music:section_editor", args=[song.pk])


def test_without_timing_the_editor_offers_to_fetch_it(member_client, team, member):
    song = make_song(team, member, lyric=LYRIC)
    html = member_client.get(editor(song)).content.decode()
    assert "no lyric timing yet" in html
    response = member_client.post(reverse("music:section_timing", args=[song.pk]))
    assert response.status_code == 302
    run_queued()
    assert LyricTiming.objects.filter(song=song).exists()


def test_the_editor_lists_timed_lines_and_sends_compact_data(member_client, song):
    response = member_client.get(editor(song))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line one of the verse" in html and "[Chorus]" in html
    data = response.context["editor_data"]
    assert [line["text"] for line in data["lines"]][:2] == [
        "Line one of the verse",
        "Line two of the verse",
    ]
    assert 0 < len(data["peaks"]) <= 1200
    assert len(json.dumps(data["peaks"])) < 8000  # compact: two decimals, capped length
    # One module: it imports the vendored waveform widget itself.
    assert '<script type="module" src="/static/js/lyric-editor.js"></script>' in html
    nonce = data["nonce"]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_preview_shows_the_exact_request(member_client, song):
    lines = member_client.get(editor(song)).context["lines"]
    response = member_client.post(
        reverse("music:section_preview", args=[song.pk]),
        {
            "first": 2,
            "last": 3,
            "new_lines": "A brand new chorus\nSung another way",
            "model": "chirp-v4",
        },
    )
    html = response.content.decode()
    assert "&quot;action&quot;: &quot;replace_section&quot;" in html
    assert f"&quot;replace_section_start&quot;: {round(lines[2].start, 3)}" in html
    assert "A brand new chorus" in html


def test_submitting_makes_a_fragment_and_one_click_joins_it(member_client, song):
    response = member_client.post(
        editor(song),
        {
            "first": 2,
            "last": 3,
            "new_lines": "A brand new chorus\nSung another way",
            "model": "chirp-v4",
        },
    )
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="replace_section")
    payload = task.request_payload
    assert payload["prompt"] == "[Chorus]\nA brand new chorus\nSung another way\n"
    assert payload["lyric"].startswith("[Verse]\nLine one of the verse\n")
    assert payload["lyric"].endswith(payload["prompt"])
    fragment = Song.objects.filter(relation=Relation.REPLACED).first()
    assert fragment.is_fragment and fragment.parent == song

    member_client.post(reverse("music:quick_action", args=[fragment.pk, "concat"]))
    run_queued()
    whole = Song.objects.get(relation=Relation.CONCATENATED)
    assert abs(whole.duration - song.duration) < 1.5  # same length: a window was replaced
    assert whole.root == song


def test_auto_concat_joins_without_a_second_click(member_client, song, team):
    member_client.post(
        editor(song),
        {
            "first": 0,
            "last": 0,
            "new_lines": "A new first line",
            "model": "chirp-v4",
            "auto_concat": "on",
        },
    )
    run_queued()
    run_queued()
    assert Task.objects.filter(action="concat").count() == 1
    assert (
        Song.objects.filter(relation=Relation.CONCATENATED, state=SongState.SUCCEEDED).count() == 1
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first": 0, "last": 0, "new_lines": ""}, "Write the new lines"),
        (
            {"first": 0, "last": 0, "new_lines": "x", "start": "5", "end": "3"},
            "must come after its start",
        ),
        ({"first": 0, "last": 0, "new_lines": "x", "start": "1", "end": "70"}, "at most 60 s"),
        ({"first": 0, "last": 0, "new_lines": "x", "start": "1", "end": "9999"}, "inside the song"),
        ({"first": 3, "last": 1, "new_lines": "x"}, "Choose one or more lines"),
    ],
)
def test_bad_selections_are_refused_with_the_reason(member_client, song, data, message):
    response = member_client.post(editor(song), {**data, "model": "chirp-v4"})
    assert message in response.content.decode()
    assert not Task.objects.filter(action="replace_section").exists()


def test_a_song_being_made_cannot_be_edited(member_client, team):
    song = SongFactory(team=team, state=SongState.RUNNING)
    response = member_client.post(
        editor(song), {"first": 0, "last": 0, "new_lines": "x", "model": "chirp-v4"}
    )
    assert response.status_code == 409
    assert "still being made" in response.content.decode()


def test_other_teams_cannot_open_or_use_the_editor(client, outsider, song):
    client.force_login(outsider)
    assert client.get(editor(song)).status_code == 404
    assert client.post(reverse("music:section_preview", args=[song.pk])).status_code == 404
    assert client.get(reverse("music:lyrics_export", args=[song.pk, "lrc"])).status_code == 404


def test_viewers_can_look_but_not_replace(client, viewer, song):
    client.force_login(viewer)
    assert client.get(editor(song)).status_code == 200
    response = client.post(
        editor(song), {"first": 0, "last": 0, "new_lines": "x", "model": "chirp-v4"}
    )
    assert response.status_code == 409
    assert not Task.objects.filter(action="replace_section").exists()


def test_upstream_errors_fail_the_replacement_with_the_reason(member_client, song, simulator):
    member_client.post(
        editor(song), {"first": 0, "last": 0, "new_lines": "New words", "model": "chirp-v4"}
    )
    simulator.faults.next_errors.append((400, "bad_request", "Window does not match lyric"))
    run_queued()
    task = Task.objects.get(action="replace_section")
    assert task.state == TaskState.FAILED
    assert "Window does not match lyric" in task.error_message


@pytest.mark.parametrize(("fmt", "first_line"), [("lrc", "[ti:"), ("srt", "1")])
def test_lyrics_export(member_client, song, fmt, first_line):
    response = member_client.get(reverse("music:lyrics_export", args=[song.pk, fmt]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith(first_line)
    assert "Line one of the verse" in body


def test_unknown_export_format_is_404(member_client, song):
    assert (
        member_client.get(reverse("music:lyrics_export", args=[song.pk, "doc"])).status_code == 404
    )
