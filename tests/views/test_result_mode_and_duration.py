"""The section editor's “What you get” (replace_section_result_mode) and the create form's
length (`duration`), end to end: form, task, SunoHub JSON over httpx to the simulator, songs
made (issue #15)."""

import numpy as np
import pytest
from django.urls import reverse

from music.models import ProviderAccount, Relation, Song, SongState, Task
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from tests.helpers import make_song, run_queued

LYRIC = (
    "[Verse]\nLine one of the verse\nLine two of the verse\n"
    "[Chorus]\nSing the chorus now\nSing it once again"
)
NEW_LINES = "A brand new chorus\nSung another way"


def timed_song(team, member, simulator, **params):
    from music.services import actions

    song = make_song(team, member, lyric=LYRIC, **params)
    actions.fetch_timing(member.memberships.get(team=team), song)
    run_queued()
    return song


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 40  # room for every line
    return timed_song(team, member, simulator)


def editor(song):
    return reverse("music:section_editor", args=[song.pk])


def test_the_whole_song_comes_back_with_only_the_section_changed(member_client, song, simulator):
    data = {"first": 2, "last": 3, "new_lines": NEW_LINES, "model": "chirp-v4"}
    data |= {"result_mode": "full_song", "auto_concat": "on"}
    response = member_client.post(editor(song), data)
    assert response.status_code == 302
    run_queued()
    run_queued()
    payload = Task.objects.get(action="replace_section").request_payload
    assert payload["replace_section_result_mode"] == "full_song"
    wholes = list(Song.objects.filter(relation=Relation.REPLACED))
    assert len(wholes) == 2
    assert not Task.objects.filter(action="concat").exists()  # nothing to join
    start, end = payload["replace_section_start"], payload["replace_section_end"]
    a, b = round(start * SR), round(end * SR)
    original = simulator.mix(simulator._clip(song.upstream_id)).astype(np.int32)
    for whole in wholes:
        assert whole.state == SongState.SUCCEEDED and not whole.is_fragment
        assert abs(whole.duration - song.duration) < 0.05
        made = simulator.mix(simulator._clip(whole.upstream_id)).astype(np.int32)
        assert np.array_equal(made[:a], original[:a]) and np.array_equal(made[b:], original[b:])
        assert not np.array_equal(made[a:b], original[a:b])
    page = member_client.get(reverse("music:song", args=[wholes[0].pk])).content.decode()
    assert "Get whole song" not in page  # a whole song offers no joining


def test_only_the_new_section_stays_the_default(member_client, song):
    form = member_client.get(editor(song)).context["form"]
    assert form["result_mode"].value() == "candidates"
    data = {"first": 0, "last": 0, "new_lines": "A new first line", "model": "chirp-v4"}
    member_client.post(editor(song), data)
    run_queued()
    sent = Task.objects.get(action="replace_section").request_payload
    assert sent["replace_section_result_mode"] == "candidates"
    assert Song.objects.filter(relation=Relation.REPLACED, is_fragment=True).count() == 2


def test_a_relay_song_offers_no_whole_song_result(member_client, team, member, simulator):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    simulator.max_duration = 40
    relayed = timed_song(team, member, simulator, model="chirp-v4-5")  # timing: chirp-auk only
    form = member_client.get(editor(relayed)).context["form"]
    assert "result_mode" not in form.fields
    html = member_client.get(editor(relayed)).content.decode()
    assert "The relay format has no way to ask for the whole song" in html


def test_the_preview_shows_the_chosen_mode(member_client, song):
    data = {"first": 2, "last": 3, "new_lines": NEW_LINES, "model": "chirp-v4"}
    response = member_client.post(
        reverse("music:section_preview", args=[song.pk]), {**data, "result_mode": "full_song"}
    )
    assert "&quot;replace_section_result_mode&quot;: &quot;full_song&quot;" in (
        response.content.decode()
    )


# --- duration on the create form --------------------------------------------------------------
URL = reverse("music:create")


def test_a_song_asked_for_20_seconds_lasts_about_20(
    member_client, simulator, django_capture_on_commit_callbacks
):
    simulator.max_duration = 40
    data = {"mode": "custom", "lyric": LYRIC, "style": "pop", "model": "chirp-v4"}
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(URL, {**data, "duration": "20"})
    assert response.status_code == 302
    assert Task.objects.get().request_payload["duration"] == 20
    run_queued()
    songs = Song.objects.filter(state=SongState.SUCCEEDED)
    assert songs.count() == 2
    assert all(18.5 <= s.duration <= 20.01 for s in songs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"model": "chirp-v3-5", "duration": "200"}, "v3.5 makes songs of at most 120 seconds"),
        ({"model": "chirp-v4", "duration": "9"}, "Give a whole number of seconds from 10 to 360."),
        (
            {"model": "chirp-v5", "duration": "400"},
            "Give a whole number of seconds from 10 to 360.",
        ),
        (
            {"model": "chirp-v5", "duration": "30.5"},
            "Give a whole number of seconds from 10 to 360.",
        ),
    ],
)
def test_duration_validation(member_client, data, message):
    response = member_client.post(
        URL, {"mode": "custom", "lyric": "[Verse]\nla la", "is_pro": "on", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_inspiration_mode_sends_no_duration(member_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            URL,
            {"mode": "inspiration", "prompt": "a sea song", "model": "chirp-v4", "duration": "30"},
        )
    assert "duration" not in Task.objects.get().request_payload
