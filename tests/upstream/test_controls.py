"""The advanced controls on the wire (exact JSON in both formats) and in the simulator
(refused like AceData refuses them, and heard in the audio)."""

import httpx
import numpy as np
import pytest

from music import upstream
from music.upstream.base import SongRequest
from music.upstream.relay import Relay
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.audio import plan
from music.upstream.sunohub import SunoHub

EVERY = {
    "vocal_gender": "f",
    "weirdness": 0.0,
    "style_influence": 0.7,
    "audio_weight": 0.0,
    "variety": "high",
    "max_mode": True,
}
WORDS = {"custom": True, "lyric": "[Verse]\nSnow", "style": "pop", "model": "chirp-v5-5"}


def test_sunohub_sends_every_control_as_documented_zero_included():
    payload = SunoHub(None).build_payload(
        SongRequest(**WORDS, **EVERY, style_negative="metal", is_pro=True)
    )
    assert payload == {
        "action": "generate",
        "custom": True,
        "instrumental": False,
        "lyric": "[Verse]\nSnow",
        "style": "pop",
        "negative_tags": "metal",
        "model": "chirp-v5-5",
        "vocal_gender": "f",
        "weirdness": 0.0,
        "style_influence": 0.7,
        "audio_weight": 0.0,
        "variety": "high",
        "max_mode": True,
        "is_pro": True,
    }


def test_sunohub_sends_no_control_that_is_not_set():
    payload = SunoHub(None).build_payload(SongRequest(**WORDS))
    assert payload == {
        "action": "generate",
        "custom": True,
        "instrumental": False,
        "lyric": "[Verse]\nSnow",
        "style": "pop",
        "model": "chirp-v5-5",
    }


def test_sunohub_sends_a_lyrics_idea_only_without_lyrics():
    hub = SunoHub(None)
    idea = {**WORDS, "lyric": "", "lyric_prompt": "a bus ride"}
    assert hub.build_payload(SongRequest(**idea))["lyric_prompt"] == "a bus ride"
    assert "lyric_prompt" not in hub.build_payload(SongRequest(**WORDS, lyric_prompt="x"))


def test_relay_sends_its_native_fields_and_no_control_it_has_no_field_for():
    payload = Relay(None).build_payload(SongRequest(**WORDS, **EVERY, style_negative="metal"))
    assert payload == {
        "prompt": "[Verse]\nSnow",
        "tags": "pop",
        "negative_tags": "metal",
        "mv": "chirp-fenix",
        "make_instrumental": False,
    }


@pytest.fixture
def api(simulator):
    with httpx.Client(
        transport=httpx.WSGITransport(app=simulator), base_url=upstream.SIMULATOR_BASE_URL
    ) as client:
        yield client


def make(api, **body):
    response = api.post("/suno/audios", json={"action": "generate", **body})
    return response.status_code, response.json()


SONG = {"custom": True, "lyric": "[Verse]\nla la la la\nla la la la", "is_pro": True}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("weirdness", 1.5, "`weirdness` must be a number from 0 to 1."),
        ("style_influence", -0.1, "`style_influence` must be a number from 0 to 1."),
        ("audio_weight", "half", "`audio_weight` must be a number from 0 to 1."),
        ("vocal_gender", "x", "`vocal_gender` must be `f` or `m`."),
        ("variety", "wild", "`variety` must be one of off, normal, high, extra, max."),
        ("max_mode", "yes", "`max_mode` must be true or false."),
    ],
)
def test_the_simulator_refuses_wrong_values_in_the_real_error_shape(api, field, value, words):
    status, answer = make(api, model="chirp-v5", **SONG, **{field: value})
    assert status == 400
    assert answer["success"] is False and answer["trace_id"]
    assert answer["error"] == {"code": "bad_request", "message": words}


def test_variety_is_refused_on_other_actions(api):
    status, answer = make(api, model="chirp-v5", **SONG)
    assert status == 200
    status, answer = make(
        api, **{"action": "concat", "audio_id": answer["data"][0]["id"], "variety": "high"}
    )
    assert status == 400
    assert answer["error"]["message"] == "`variety` is only for the generate and add_stem actions."


def test_the_simulator_takes_new_models_and_zero_values(api):
    status, answer = make(api, model="chirp-v5-5", weirdness=0, audio_weight=0, **SONG)
    assert status == 200, answer
    assert {clip["model"] for clip in answer["data"]} == {"chirp-v5-5"}


def pitch(vocals):
    """The median fundamental (Hz) of the sung frames, by autocorrelation."""
    x = vocals.astype(np.float64)
    size, found = 2048, []
    lo, hi = int(SR / 500), int(SR / 70)
    for start in range(0, len(x) - size, size):
        frame = x[start : start + size]
        if np.sqrt(np.mean(frame**2)) < 500:
            continue
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        lag = lo + int(np.argmax(corr[lo:hi]))
        found.append(SR / lag)
    assert len(found) > 10
    return float(np.median(found))


def sung(api, simulator, **controls):
    status, answer = make(api, model="chirp-v5", style="pop", **SONG, **controls)
    assert status == 200, answer
    return [simulator.stems(simulator._clip(c["id"]))[0] for c in answer["data"]]


def test_a_female_voice_sings_higher_than_a_male_one(api, simulator):
    female = sung(api, simulator, vocal_gender="f")[0]
    male = sung(api, simulator, vocal_gender="m")[0]
    assert pitch(female) > 1.5 * pitch(male)  # about an octave apart


def test_variety_off_makes_two_alike_takes_and_max_two_different_tunes(api, simulator):
    same = sung(api, simulator, variety="off")
    assert np.array_equal(same[0], same[1])
    first, second = sung(api, simulator, variety="max")
    n = min(len(first), len(second))
    assert not np.array_equal(first[:n], second[:n])


def test_weirdness_moves_the_melody(api, simulator):
    plain = sung(api, simulator)[0]
    weird = sung(api, simulator, weirdness=0.9)[0]
    n = min(len(plain), len(weird))
    assert not np.array_equal(plain[:n], weird[:n])


def test_excluded_styles_leave_the_arrangement():
    assert plan.without_styles("piano ballad, guitar", "piano") == "ballad, guitar"
    kept = plan._plan("seed", "piano ballad, guitar", 0)
    steered = plan._plan("seed", plan.without_styles("piano ballad, guitar", "piano"), 0)
    assert (kept.comp, steered.comp) == ("piano", "guitar")


def test_a_lyrics_idea_gets_lyrics_written(api):
    status, answer = make(
        api, model="chirp-v5", custom=True, is_pro=True, style="pop", lyric_prompt="a bus ride"
    )
    assert status == 200, answer
    assert all(clip["lyric"].strip() for clip in answer["data"])
