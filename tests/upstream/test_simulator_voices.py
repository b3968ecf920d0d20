"""MIDI, fresh MP3 links, the key's personas, vocal ranges and voices in the simulator
(issue #15): answered in AceData's shapes, refused like the docs say, and measured on the
clips' own notes and PCM."""

import io

import numpy as np
import pytest

from music.upstream.simulator import media
from music.upstream.simulator.engine.rendering import render_plan
from tests.upstream.sunohub_sim import LYRIC, SR, client


@pytest.fixture
def api(simulator):
    with client(simulator, max_duration=30) as api:
        yield api


def post(api, path, status=200, **body):
    response = api.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def song(api, style="pop", **extra):
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": style, "title": "T"}
    answer = post(api, "/suno/audios", **body, is_pro=True, model="chirp-v4", **extra)
    return answer["data"][0]


def sung_notes(instruments):
    return [n for part in instruments if part["name"] == "Vocals" for n in part["notes"]]


# --- MIDI -----------------------------------------------------------------------------------
def test_midi_answers_the_notes_the_simulator_sang(api, simulator):
    clip = song(api)
    answer = post(api, "/suno/midi", audio_id=clip["id"])
    (item,) = answer["data"]
    assert item["state"] == "complete"
    row = simulator._clip(clip["id"])
    spec = simulator.spec(row)["song"]
    plan = render_plan(spec)
    assert item["instruments"] == plan.notes
    notes = sung_notes(item["instruments"])
    assert len(notes) > 6
    assert all(
        0 <= n["start"] < n["end"] <= simulator.ensure_rendered(row)["duration"] for n in notes
    )
    # Each sung line's first note starts when the timing says the line starts.
    starts = {round(n["start"], 3) for n in notes}
    lines = simulator.ensure_rendered(row)["lines"]
    assert all(round(line["start"], 3) in starts for line in lines)


def test_midi_of_a_sample_is_the_range_moved_to_zero(api, simulator):
    clip = song(api)
    whole = sung_notes(post(api, "/suno/midi", audio_id=clip["id"])["data"][0]["instruments"])
    body = {"action": "samples", "audio_id": clip["id"], "samples_start": 2.0, "samples_end": 8.0}
    sample = post(api, "/suno/audios", **body)["data"][0]
    part = sung_notes(post(api, "/suno/midi", audio_id=sample["id"])["data"][0]["instruments"])
    expected = [n["pitch"] for n in whole if 2.0 <= n["start"] < 8.0]
    assert [n["pitch"] for n in part] == expected and expected
    assert min(n["start"] for n in part) >= 0


def test_midi_of_an_unknown_clip_is_404(api):
    post(api, "/suno/midi", status=404, audio_id="nope")


# --- fresh MP3 links ------------------------------------------------------------------------
def test_expired_links_404_and_a_fresh_one_serves_the_same_audio(api, simulator):
    clip = song(api)
    before = api.get(clip["audio_url"])
    assert before.status_code == 200
    simulator.faults.expire_links = True
    assert api.get(clip["audio_url"]).status_code == 404
    url = post(api, "/suno/mp3", audio_id=clip["id"])["data"][0]["file_url"]
    assert url != clip["audio_url"] and url.endswith(".mp3")
    fresh = api.get(url)
    assert fresh.status_code == 200 and fresh.content == before.content


# --- personas at the provider ---------------------------------------------------------------
def test_personas_are_listed_and_deleted(api):
    clip = song(api)
    made = post(api, "/suno/persona", name="Ana", description="warm", audio_id=clip["id"])
    persona_id = made["data"]["persona_id"]
    listed = api.get("/suno/persona").json()["data"]
    assert [(p["persona_id"], p["name"], p["audio_id"]) for p in listed] == [
        (persona_id, "Ana", clip["id"])
    ]
    response = api.request("DELETE", "/suno/persona", json={"persona_id": persona_id})
    assert response.status_code == 200 and response.json()["data"]["deleted"] is True
    assert api.get("/suno/persona").json()["data"] == []
    again = api.request("DELETE", "/suno/persona", json={"persona_id": persona_id})
    assert again.status_code == 404


# --- vox and persona v2 ---------------------------------------------------------------------
def vox(api, clip, start, end):
    return post(api, "/suno/vox", audio_id=clip["id"], vocal_start=start, vocal_end=end)["data"]


def test_vox_is_the_vocal_of_the_range_only(api, simulator):
    clip = song(api)
    data = vox(api, clip, 2.0, 7.0)
    assert data["source_clip_id"] == clip["id"] and data["status"] == "complete"
    assert (data["vocal_start_s"], data["vocal_end_s"]) == (2.0, 7.0)
    vocals, _ = simulator.stems(simulator._clip(clip["id"]))
    got_vocals, got_band = simulator.stems(simulator._clip(data["id"]))
    assert np.array_equal(got_vocals, vocals[2 * SR : 7 * SR])
    assert not got_band.any()
    assert api.get(data["vocal_audio_url"]).status_code == 200


@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (3, 999)])
def test_vox_refuses_a_range_outside_the_song(api, start, end):
    clip = song(api)
    post(api, "/suno/vox", status=400, audio_id=clip["id"], vocal_start=start, vocal_end=end)


def pitch(x, size=2048):
    """The median fundamental (autocorrelation, 70 Hz to 1 kHz) of the sung frames of a stem."""
    lags = np.arange(SR // 1000, SR // 70)
    found = []
    for start in range(0, len(x) - size, size // 2):
        frame = x[start : start + size] - np.mean(x[start : start + size])
        if np.sqrt(np.mean(frame**2)) < 0.01:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        found.append(SR / lags[np.argmax(corr[lags])])
    assert len(found) > 10, "too little singing to measure"
    return float(np.median(found))


def persona_v2_song(api, clip):
    data = vox(api, clip, 1.0, 9.0)
    persona = post(
        api,
        "/suno/persona",
        name="V2",
        audio_id=clip["id"],
        vocal_start=1.0,
        vocal_end=9.0,
        vox_audio_id=data["id"],
    )["data"]["persona_id"]
    body = {
        "custom": True,
        "lyric": "[Verse]\nA new song now\nWith the same voice",
        "style": "rock",
    }
    post(
        api,
        "/suno/audios",
        status=400,
        action="artist_consistency",
        persona_id=persona,
        is_pro=True,
        **body,
    )
    answer = post(
        api,
        "/suno/audios",
        action="artist_consistency_vox",
        persona_id=persona,
        audio_id=clip["id"],
        is_pro=True,
        **body,
    )
    return answer["data"][0]


def test_a_persona_v2_song_sings_in_the_voice_of_its_vocal_range(api, simulator):
    high = song(api, style="female pop")
    low = song(api, style="male pop")

    def sung(clip):
        return pitch(media.to_float(simulator.stems(simulator._clip(clip["id"]))[0]))

    high_song, low_song = persona_v2_song(api, high), persona_v2_song(api, low)
    assert sung(high) > 1.3 * sung(low)  # two clearly different singers to start from
    # Each new song is sung nearer its own source's voice than the other's.
    assert abs(np.log(sung(high_song) / sung(high))) < abs(np.log(sung(high_song) / sung(low)))
    assert abs(np.log(sung(low_song) / sung(low))) < abs(np.log(sung(low_song) / sung(high)))


# --- voices from a recording ----------------------------------------------------------------
def recording(simulator, seconds):
    t = np.arange(int(seconds * SR)) / SR
    pcm = media.to_pcm16(0.3 * np.sin(2 * np.pi * 220 * t))
    name = f"rec{seconds}.wav"
    media.write_atomic(simulator._media_path(name), media.wav_bytes(pcm))
    return name


def test_voices_need_ten_seconds_of_recording(api, simulator, monkeypatch):
    files = {}

    def read(url):
        return files[url]

    monkeypatch.setattr(simulator, "_fetch_url", read)
    for seconds in (4, 12):
        buf = io.BytesIO(media.wav_bytes(media.to_pcm16(np.zeros(int(seconds * SR)) + 0.1)))
        files[f"https://example.com/{seconds}.wav"] = buf.getvalue()
    short = post(api, "/suno/voices", status=400, name="Me", audio_url="https://example.com/4.wav")
    assert "10 to 240 seconds" in short["error"]["message"]
    made = post(api, "/suno/voices", name="Me", audio_url="https://example.com/12.wav")
    assert made["data"]["is_public"] is False
    listed = api.get("/suno/persona").json()["data"]
    assert [(p["persona_id"], p["type"]) for p in listed] == [(made["data"]["persona_id"], "voice")]
