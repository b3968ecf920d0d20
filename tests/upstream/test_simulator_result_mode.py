"""replace_section's `replace_section_result_mode` and generate's `duration` in the simulator
(issue #15), as AceData documents them: `full_song` (the default) answers two whole songs
with only the section changed, `candidates` the two new sections; a song asked for a length
lasts about that long."""

import numpy as np
import pytest

from tests.upstream.sunohub_sim import LYRIC, SR, audios, client

NEW = "A brand new line"


@pytest.fixture
def api(simulator):
    with client(simulator) as api:
        yield api


@pytest.fixture
def song(api):
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": "pop", "title": "T"}
    return audios(api, **body, model="chirp-v4")[0]


def replace(api, song, **extra):
    return audios(
        api,
        action="replace_section",
        audio_id=song["id"],
        lyric=f"[Verse]\nFirst line here\n{NEW}",
        prompt=NEW,
        replace_section_start=3.0,
        replace_section_end=7.5,
        **extra,
    )


def mix(simulator, clip_id):
    return simulator.mix(simulator._clip(clip_id)).astype(np.int32)


@pytest.mark.parametrize("mode", [{"replace_section_result_mode": "full_song"}, {}])
def test_full_song_is_the_whole_song_with_only_the_section_changed(api, simulator, song, mode):
    wholes = replace(api, song, **mode)
    assert len(wholes) == 2
    original = mix(simulator, song["id"])
    a, b = round(3.0 * SR), round(7.5 * SR)
    for whole in wholes:
        assert abs(whole["duration"] - song["duration"]) < 0.01
        made = mix(simulator, whole["id"])
        assert len(made) == len(original)
        assert np.array_equal(made[:a], original[:a]) and np.array_equal(made[b:], original[b:])
        assert not np.array_equal(made[a:b], original[a:b])  # the new section is sung there
        assert whole["lyric"] == f"[Verse]\nFirst line here\n{NEW}"  # the song's new lyrics
    # A whole song has nothing left to join.
    response = api.post("/suno/audios", json={"action": "concat", "audio_id": wholes[0]["id"]})
    assert response.status_code == 400


def test_candidates_are_the_new_sections_only(api, song):
    sections = replace(api, song, replace_section_result_mode="candidates")
    assert len(sections) == 2
    assert all(abs(s["duration"] - 4.5) < 0.01 for s in sections)


def test_an_unknown_result_mode_is_refused(api, song):
    response = api.post(
        "/suno/audios",
        json={
            "action": "replace_section",
            "audio_id": song["id"],
            "replace_section_result_mode": "x",
        },
    )
    assert response.status_code == 400
    assert "full_song" in response.json()["error"]["message"]


# --- duration ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [10, 20])
def test_a_custom_song_asked_for_a_length_lasts_about_that_long(api, simulator, seconds):
    simulator.max_duration = 60
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": "pop"}
    clips = audios(api, **body, model="chirp-v4", duration=seconds)
    for clip in clips:
        assert seconds - 1.5 <= clip["duration"] <= seconds + 0.01
        samples = len(mix(simulator, clip["id"]))
        assert abs(samples / SR - clip["duration"]) < 0.01


@pytest.mark.parametrize("value", [9, 361, 12.5, "30", True])
def test_duration_outside_10_to_360_whole_seconds_is_refused(api, value):
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "duration": value}
    response = api.post("/suno/audios", json=body)
    assert response.status_code == 400
    assert "`duration` must be an integer from 10 to 360" in response.json()["error"]["message"]
