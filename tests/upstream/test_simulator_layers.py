"""underpainting ("Add instrumental"), overpainting ("Add vocals") and upload_cover in the
simulator (issue #15): refused like AceData's docs say, and the new layer is in the window
only, measured on the clips' own PCM."""

import numpy as np
import pytest

from tests.upstream.sunohub_sim import LYRIC, SR, audios, client, refused, stems

NEW_WORDS = "[Verse]\nBrand new words tonight\nSinging in the light"


@pytest.fixture
def api(simulator):
    with client(simulator) as api:
        yield api


@pytest.fixture
def song(api):
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": "pop", "title": "Test"}
    return audios(api, **body, is_pro=True, model="chirp-v4")[0]


@pytest.fixture
def instrumental(api):
    body = {"action": "generate", "custom": True, "instrumental": True, "style": "lofi piano"}
    return audios(api, **body, prompt="lofi piano", is_pro=True, model="chirp-v4")[0]


@pytest.fixture
def a_cappella(api, simulator, song):
    """An upload of the song's vocals stem alone: a voice with nothing under it."""
    stem = audios(api, action="stems", audio_id=song["id"], is_pro=True)[0]
    response = api.post("/suno/upload", json={"audio_url": stem["audio_url"]})
    assert response.status_code == 200, response.text
    return response.json()["data"]["audio_id"]


def energy(x):
    return float(np.mean(np.square(np.asarray(x, dtype=np.float64))))


def windows(n, start, end):
    a, b = int(round(start * SR)), int(round(end * SR))
    return slice(0, a), slice(a, b), slice(b, n)


# --- underpainting ---------------------------------------------------------------------------
def test_underpainting_adds_an_instrumental_in_the_window_only(api, simulator, a_cappella):
    clips = audios(
        api,
        action="underpainting",
        audio_id=a_cappella,
        model="chirp-v4-5",
        style="warm piano, soft drums",
        underpainting_start=2,
        underpainting_end=6,
        is_pro=True,
    )
    assert len(clips) == 2
    # An upload is one stem (the file as decoded): here the voice alone.
    source = simulator.mix(simulator._clip(a_cappella)).astype(np.int32)
    for clip in clips:
        made = simulator.mix(simulator._clip(clip["id"])).astype(np.int32)
        assert len(made) == len(source)
        before, inside, after = windows(len(source), 2, 6)
        # Outside the window every sample is the source's own.
        assert np.array_equal(made[before], source[before])
        assert np.array_equal(made[after], source[after])
        # Inside it, a real instrumental: louder, with many frequencies the voice lacked.
        added = (made[inside] - source[inside]) / 32767
        assert energy(made[inside] / 32767) > 1.5 * energy(source[inside] / 32767)
        spectrum = np.abs(np.fft.rfft(added))
        assert np.count_nonzero(spectrum > spectrum.max() / 10) > 20
        assert int(np.max(np.abs(made))) < 32767  # never clips
        assert clip["style"] == "warm piano, soft drums"


def test_underpainting_is_refused_like_the_docs_say(api, song):
    base = {"action": "underpainting", "audio_id": song["id"], "is_pro": True}
    assert "underpainting_end" in refused(api, **base, model="chirp-v4-5")
    too_long = refused(api, **base, model="chirp-v4-5", underpainting_end=song["duration"] + 5)
    assert "inside the song" in too_long
    backwards = refused(api, **base, model="chirp-v4-5", underpainting_start=5, underpainting_end=3)
    assert "before" in backwards
    assert "chirp-v4-5 and newer" in refused(api, **base, model="chirp-v4", underpainting_end=4)


# --- overpainting ----------------------------------------------------------------------------
def test_overpainting_sings_the_given_words_in_the_window_only(api, simulator, instrumental):
    clips = audios(
        api,
        action="overpainting",
        audio_id=instrumental["id"],
        model="chirp-v4-5",
        custom=True,
        lyric=NEW_WORDS,
        style="soul, female vocals",
        overpainting_start=1.5,
        overpainting_end=7.5,
        is_pro=True,
    )
    v0, i0 = stems(simulator, instrumental["id"])
    assert energy(v0) == 0  # an instrumental: no voice before
    for clip in clips:
        assert clip["lyric"] == NEW_WORDS
        v1, i1 = stems(simulator, clip["id"])
        before, inside, after = windows(len(v0), 1.5, 7.5)
        assert np.array_equal(i1, i0)  # the band is untouched
        assert np.array_equal(v1[before], v0[before])
        assert np.array_equal(v1[after], v0[after])
        assert energy(v1[inside] / 32767) > 1e-4  # a voice now sings there
        mix0 = simulator.mix(simulator._clip(instrumental["id"]))
        mix1 = simulator.mix(simulator._clip(clip["id"]))
        assert energy(mix1[inside] / 32767) > energy(mix0[inside] / 32767)
        lines = simulator.ensure_rendered(simulator._clip(clip["id"]))["lines"]
        assert lines and all(1.5 - 1e-6 <= ln["start"] < 7.5 for ln in lines)
        assert {ln["text"] for ln in lines} <= {"Brand new words tonight", "Singing in the light"}


def test_overpainting_needs_custom_lyrics(api, instrumental):
    base = {"action": "overpainting", "audio_id": instrumental["id"], "model": "chirp-v4-5"}
    base |= {"is_pro": True, "overpainting_end": 4}
    assert "custom" in refused(api, **base, lyric=NEW_WORDS)
    assert "`lyric`" in refused(api, **base, custom=True, lyric="  ")


# --- upload_cover ----------------------------------------------------------------------------
def test_an_upload_is_covered_with_upload_cover_only(api, simulator, a_cappella, song):
    body = {"audio_id": a_cappella, "style": "jazz", "is_pro": True, "model": "chirp-v4"}
    assert "upload_cover" in refused(api, action="cover", **body)
    clips = audios(api, action="upload_cover", **body)
    assert len(clips) == 2
    assert simulator.spec(simulator._clip(clips[0]["id"]))["source"] == a_cappella
    other = {**body, "audio_id": song["id"]}
    assert "use `cover`" in refused(api, action="upload_cover", **other)


# --- the relay wire (resellers' `task` + `metadata_params`) ---------------------------------
def relay(api, **body):
    response = api.post("/suno/submit/music", json=body)
    return response.status_code, response.json()


def relay_clips(api, **body):
    status, answer = relay(api, **body)
    assert status == 200, answer
    fetched = api.get(f"/suno/fetch/{answer['data']}").json()["data"]
    assert fetched["status"] == "SUCCESS", fetched
    return fetched["data"]


def test_the_relay_adds_vocals_and_an_instrumental_through_metadata_params(
    api, simulator, instrumental
):
    params = {"overpainting_clip_id": instrumental["id"]}
    clips = relay_clips(
        api,
        mv="chirp-auk",
        prompt=NEW_WORDS,
        tags="soul",
        title="With words",
        task="overpainting",
        metadata_params={**params, "overpainting_start_s": 1, "overpainting_end_s": 7},
    )
    source = simulator.mix(simulator._clip(instrumental["id"])).astype(np.int32)
    made = simulator.mix(simulator._clip(clips[0]["id"])).astype(np.int32)
    before, inside, after = windows(len(source), 1, 7)
    assert np.array_equal(made[before], source[before])
    assert np.array_equal(made[after], source[after])
    assert energy(made[inside] / 32767) > energy(source[inside] / 32767)
    assert clips[0]["metadata"]["prompt"] == NEW_WORDS
    clips = relay_clips(
        api,
        mv="chirp-auk",
        prompt="",
        tags="ambient",
        title="",
        task="underpainting",
        metadata_params={
            "underpainting_clip_id": instrumental["id"],
            "underpainting_start_s": 0,
            "underpainting_end_s": 4,
        },
    )
    assert clips[0]["metadata"]["type"] == "underpainting"


def test_the_relay_refuses_fractional_or_missing_layer_windows(api, instrumental):
    body = {
        "mv": "chirp-auk",
        "prompt": "",
        "tags": "ambient",
        "title": "",
        "task": "underpainting",
    }
    params = {"underpainting_clip_id": instrumental["id"], "underpainting_start_s": 0}
    status, answer = relay(api, **body, metadata_params={**params, "underpainting_end_s": 2.5})
    assert status == 400 and "whole number" in answer["message"]
    status, answer = relay(api, **body, metadata_params=params)
    assert status == 400 and "underpainting_end_s" in answer["message"]
    status, answer = relay(api, **body, metadata_params={**params, "underpainting_end_s": 999})
    assert status == 400 and "metadata_params.underpainting_end_s" in answer["message"]
