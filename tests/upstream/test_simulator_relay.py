"""The simulator's relay wire format (new-api-style gateways, seed 000), over raw HTTP."""

import types

import httpx
import pytest

from music import catalogue, upstream
from music.upstream import netguard
from music.upstream.simulator import app, engine, words

FADE = engine.CONCAT_FADE
LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"
MORE = "[Verse]\nMore words to sing\nAnd more of them"


@pytest.fixture
def api(simulator):
    with httpx.Client(
        transport=httpx.WSGITransport(app=simulator), base_url=upstream.SIMULATOR_BASE_URL
    ) as client:
        yield client


def call(api, method, path, body=None):
    response = api.request(method, path, json=body)
    return response.status_code, response.json()


def ok(api, method, path, body=None):
    status, answer = call(api, method, path, body)
    assert status == 200, answer
    assert (answer["code"], answer["message"]) == ("success", ""), answer
    return answer["data"]


def refused(api, method, path, status, code, body=None):
    got, answer = call(api, method, path, body)
    assert got == status, answer
    assert set(answer) == {"code", "message", "data"}, answer
    assert answer["code"] == code and answer["data"] is None and answer["message"]
    return answer["message"]


def submit(api, path="/suno/submit/music", **body):
    task_id = ok(api, "POST", path, body)
    assert isinstance(task_id, str) and task_id
    return task_id


def task(api, task_id):
    return ok(api, "GET", f"/suno/fetch/{task_id}")


def clips_of(api, task_id):
    answer = task(api, task_id)
    assert answer["status"] == "SUCCESS", answer
    assert all(clip["status"] == "complete" for clip in answer["data"])
    return answer["data"]


def make(api, path="/suno/submit/music", **body):
    return clips_of(api, submit(api, path, **body))


def song(api, mv="chirp-v4", **extra):
    body = {"prompt": LYRIC, "tags": "pop", "title": "Test", "mv": mv, **extra}
    return make(api, **body)[0]


# --- generate and fetch -------------------------------------------------------------------
def test_inspiration_generate_finishes_as_a_task_with_two_native_clips(api):
    task_id = submit(api, gpt_description_prompt="a sunny song about the sea")
    answer = task(api, task_id)
    assert answer["task_id"] == task_id
    assert (answer["action"], answer["status"], answer["progress"]) == ("MUSIC", "SUCCESS", "100%")
    assert answer["fail_reason"] == ""
    times = [answer[k] for k in ("submit_time", "start_time", "finish_time")]
    assert all(isinstance(t, int) and t > 0 for t in times)
    clips = answer["data"]
    assert len(clips) == 2 and clips[0]["id"] != clips[1]["id"]
    for clip in clips:
        meta = clip["metadata"]
        assert clip["status"] == "complete"
        assert clip["audio_url"].endswith(f"/media/{clip['id']}.mp3")
        assert clip["image_url"] and clip["image_large_url"] and clip["created_at"].endswith("Z")
        # mv defaults to chirp-v4.
        assert (clip["model_name"], clip["major_model_version"]) == ("chirp-v4", "v4")
        assert meta["gpt_description_prompt"] == "a sunny song about the sea"
        assert meta["type"] == "gen" and meta["prompt"] and meta["tags"]
        assert 0 < meta["duration"] <= 12
        assert meta["concat_history"] is None and meta["infill"] is False
    assert api.get(clips[0]["audio_url"]).headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize("model", catalogue.MODELS, ids=lambda m: m.key)
def test_custom_generate_speaks_relay_model_names_and_needs_no_pro_pool(api, simulator, model):
    clip = song(api, mv=model.wire_name("relay"), negative_tags="metal")
    assert clip["model_name"] == model.wire_name("relay")
    assert clip["major_model_version"] == model.label
    assert clip["title"] == "Test"
    assert clip["metadata"]["prompt"] == LYRIC and clip["metadata"]["tags"] == "pop"
    assert clip["metadata"]["gpt_description_prompt"] == ""
    assert simulator.spec(simulator._clip(clip["id"]))["model"] == model.key


def test_a_custom_instrumental_needs_only_tags(api, simulator):
    clip = make(api, tags="ambient piano", make_instrumental=True, title="Calm")[0]
    assert simulator.spec(simulator._clip(clip["id"]))["instrumental"] is True


def test_tasks_and_clips_follow_the_clock(api, simulator):
    now = [1_000_000.0]
    simulator.clock = lambda: now[0]
    simulator.queued_seconds, simulator.running_seconds = 2, 6
    task_id = submit(api, gpt_description_prompt="slow song")

    pending = task(api, task_id)
    assert (pending["status"], pending["progress"]) == ("SUBMITTED", "0%")
    assert (pending["start_time"], pending["finish_time"]) == (0, 0)
    assert {c["status"] for c in pending["data"]} == {"queued"}
    assert all(c["audio_url"] == "" for c in pending["data"])

    now[0] += 4
    running = task(api, task_id)
    assert (running["status"], running["progress"]) == ("IN_PROGRESS", "50%")
    assert (running["start_time"], running["finish_time"]) == (1_000_002, 0)
    assert {c["status"] for c in running["data"]} == {"streaming"}
    assert all(c["audio_url"] == "" and c["metadata"]["duration"] is None for c in running["data"])

    now[0] += 5
    done = task(api, task_id)
    assert (done["status"], done["progress"]) == ("SUCCESS", "100%")
    assert (done["submit_time"], done["finish_time"]) == (1_000_000, 1_000_008)


def test_a_failed_job_is_a_failure_with_the_reason(api, simulator):
    simulator.faults.fail_jobs = "Generation failed: moderation."
    answer = task(api, submit(api, gpt_description_prompt="anything"))
    assert (answer["status"], answer["fail_reason"]) == (
        "FAILURE",
        "Generation failed: moderation.",
    )
    for clip in answer["data"]:
        assert clip["status"] == "error" and clip["audio_url"] == ""
        assert clip["metadata"]["error_message"] == "Generation failed: moderation."
        assert clip["metadata"]["error_type"]


def test_batch_fetch_leaves_out_unknown_ids(api):
    first = submit(api, gpt_description_prompt="one")
    second = submit(api, gpt_description_prompt="two")
    body = {"ids": [second, "no-such-task", first, 7], "action": "MUSIC"}
    tasks = ok(api, "POST", "/suno/fetch", body)
    assert [t["task_id"] for t in tasks] == [second, first]
    assert all(t["status"] == "SUCCESS" for t in tasks)


def test_an_empty_batch_fetch_is_the_cheap_connection_check(api, simulator):
    assert ok(api, "POST", "/suno/fetch", {"ids": [], "action": "MUSIC"}) == []
    refused(api, "POST", "/suno/fetch", 400, "bad_request", {"ids": "abc"})
    simulator.api_key = "secret"
    refused(api, "POST", "/suno/fetch", 401, "invalid_token", {"ids": []})


# --- errors and faults --------------------------------------------------------------------
def test_refusals_have_the_relay_error_shape(api, simulator):
    message = refused(api, "POST", "/suno/submit/music", 400, "bad_request", {"tags": "pop"})
    assert "`gpt_description_prompt`" in message
    message = refused(
        api, "POST", "/suno/submit/music", 400, "bad_request", {"prompt": LYRIC, "mv": "chirp-v4-5"}
    )
    assert "`mv`" in message and "chirp-auk" in message
    refused(api, "POST", "/suno/submit/music", 400, "bad_request", {"task": "remix"})
    refused(api, "POST", "/suno/submit/music", 403, "forbidden", {"prompt": "Shape of You"})
    refused(api, "GET", "/suno/fetch/no-such-task", 404, "not_found")
    refused(api, "GET", "/suno/act/wav/no-such-clip", 404, "not_found")
    refused(api, "GET", "/suno/submit/music", 405, "method_not_allowed")
    refused(api, "GET", "/suno/act/nothing/x", 404, "not_found")
    got = api.post("/suno/submit/music", content=b"{not json", headers={"content-type": "json"})
    assert got.status_code == 400 and got.json()["data"] is None

    simulator.api_key = "secret"
    refused(api, "POST", "/suno/submit/music", 401, "invalid_token", {"prompt": LYRIC})
    api.headers["Authorization"] = "Bearer secret"
    assert submit(api, prompt=LYRIC)


def test_fault_knobs_use_the_relay_error_shape(api, simulator):
    simulator.faults.next_errors += [
        (429, "too_many_requests", "Slow down."),
        (500, "api_error", "Upstream broke."),
    ]
    body = {"gpt_description_prompt": "x"}
    assert refused(api, "POST", "/suno/submit/music", 429, "too_many_requests", body) == (
        "Slow down."
    )
    refused(api, "GET", "/suno/fetch/whatever", 500, "api_error")
    assert submit(api, **body)

    simulator.faults.malformed = True
    response = api.post("/suno/fetch", json={"ids": []})
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


# --- continuations ------------------------------------------------------------------------
def test_extend_then_concat_joins_the_chain(api, simulator):
    source = song(api)
    refused(
        api, "POST", "/suno/submit/concat", 400, "bad_request", {"clip_id": source["id"]}
    )  # nothing to join yet
    message = refused(
        api,
        "POST",
        "/suno/submit/music",
        400,
        "bad_request",
        {"task": "extend", "continue_clip_id": source["id"], "continue_at": 99, "prompt": MORE},
    )
    assert "`continue_at`" in message
    parts = make(
        api,
        task="extend",
        continue_clip_id=source["id"],
        continue_at=5,
        task_id="the-source-task",
        prompt=MORE,
    )
    assert len(parts) == 2
    part = parts[0]
    assert part["model_name"] == "chirp-v4" and part["title"] == "Test"
    assert part["metadata"]["prompt"] == MORE
    assert part["metadata"]["history"][0]["id"] == source["id"]
    assert part["metadata"]["history"][0]["continue_at"] == 5.0

    answer = task(api, submit(api, "/suno/submit/concat", clip_id=part["id"], is_infill=False))
    (whole,) = answer["data"]
    meta = whole["metadata"]
    assert meta["type"] == "concat" and whole["status"] == "complete"
    assert meta["concat_history"] == [
        {"id": source["id"], "continue_at": 5.0, "type": "gen", "source": "web", "infill": False},
        {"id": part["id"]},
    ]
    assert meta["prompt"] == LYRIC + "\n" + MORE
    expected = 5.0 + part["metadata"]["duration"] - FADE
    assert meta["duration"] == pytest.approx(expected, abs=0.01)
    refused(
        api,
        "POST",
        "/suno/submit/concat",
        400,
        "bad_request",
        {"clip_id": part["id"], "is_infill": True},
    )


def test_infill_then_concat_with_is_infill(api, simulator):
    source = song(api)
    duration = source["metadata"]["duration"]
    new = "Brand new line"
    body = {
        "task": "infill",
        "continue_clip_id": source["id"],
        "infill_start_s": 2.0,
        "infill_end_s": 6.0,
        "prompt": "[Verse]\nFirst line here\n" + new,
        "infill_lyrics": "Not in the lyric",
        "tags": "pop",
    }
    message = refused(api, "POST", "/suno/submit/music", 400, "bad_request", body)
    assert "`infill_lyrics`" in message and "`prompt`" in message
    message = refused(
        api,
        "POST",
        "/suno/submit/music",
        400,
        "bad_request",
        {**body, "infill_lyrics": new, "infill_end_s": 99},
    )
    assert "`infill_end_s`" in message

    section = make(api, **{**body, "infill_lyrics": new})[0]
    meta = section["metadata"]
    assert meta["type"] == "infill" and meta["infill"] is True
    assert meta["duration"] == pytest.approx(4.0, abs=0.01)
    assert meta["history"] == [
        {
            "id": source["id"],
            "continue_at": 2.0,
            "type": "gen",
            "source": "web",
            "infill": True,
            "infill_start": 2.0,
            "infill_end": 6.0,
        }
    ]
    assert (meta["infill_start_s"], meta["infill_end_s"]) == (2.0, 6.0)

    refused(
        api,
        "POST",
        "/suno/submit/concat",
        400,
        "bad_request",
        {"clip_id": section["id"], "is_infill": False},
    )
    (whole,) = make(api, "/suno/submit/concat", clip_id=section["id"], is_infill=True)
    history = whole["metadata"]["concat_history"]
    assert history[0]["id"] == source["id"] and history[0]["infill"] is True
    assert (history[0]["infill_start"], history[0]["infill_end"]) == (2.0, 6.0)
    assert history[1] == {"id": section["id"]}
    assert whole["metadata"]["duration"] == pytest.approx(duration - 2 * FADE, abs=0.01)


def test_cover_keeps_the_song_in_a_new_style(api):
    source = song(api)
    covers = make(api, task="cover", cover_clip_id=source["id"], tags="jazz, brushed drums")
    assert len(covers) == 2
    meta = covers[0]["metadata"]
    assert meta["type"] == "cover" and meta["tags"] == "jazz, brushed drums"
    assert meta["cover_clip_id"] == source["id"] and meta["prompt"] == LYRIC
    refused(
        api, "POST", "/suno/submit/music", 404, "not_found", {"task": "cover", "cover_clip_id": "x"}
    )


def test_upload_then_upload_extend(api):
    source = song(api)
    message = refused(
        api, "POST", "/suno/uploads/audio-url", 400, "bad_request", {"url": "ftp://x/y.mp3"}
    )
    assert "`url`" in message
    upload = ok(api, "POST", "/suno/uploads/audio-url", {"url": source["audio_url"]})
    assert upload["status"] == "complete" and upload["metadata"]["type"] == "upload"
    assert upload["metadata"]["duration"] == pytest.approx(source["metadata"]["duration"], abs=0.1)
    assert upload["audio_url"].endswith(f"/media/{upload['id']}.mp3")

    body = {"continue_clip_id": upload["id"], "continue_at": 3, "prompt": MORE, "tags": "rock"}
    message = refused(
        api, "POST", "/suno/submit/music", 400, "bad_request", {**body, "task": "extend"}
    )
    assert "upload_extend" in message
    parts = make(api, task="upload_extend", **body)
    history = parts[0]["metadata"]["history"]
    assert history == [
        {"id": upload["id"], "continue_at": 3.0, "type": "upload", "source": "web", "infill": False}
    ]
    (whole,) = make(api, "/suno/submit/concat", clip_id=parts[0]["id"], is_infill=False)
    assert whole["metadata"]["concat_history"][0]["type"] == "upload"


def test_persona_is_answered_raw_and_sings_artist_consistency(api):
    source = song(api, mv="chirp-auk")
    body = {
        "root_clip_id": source["id"],
        "name": "Persona 标题",
        "description": "Persona 描述",
        "clips": [source["id"]],
        "is_public": True,
    }
    status, persona = call(api, "POST", "/suno/persona/create", body)
    assert status == 200
    assert "code" not in persona and "data" not in persona  # not in the success envelope
    assert persona["id"] and persona["root_clip_id"] == source["id"]
    assert (persona["name"], persona["description"]) == ("Persona 标题", "Persona 描述")
    assert persona["clip"]["id"] == source["id"] and persona["clip"]["model_name"] == "chirp-auk"
    assert persona["persona_clips"] == [{"clip": persona["clip"], "id": 0}]
    assert persona["is_public"] is True and persona["clip_count"] == 1

    songs = make(
        api,
        task="artist_consistency",
        persona_id=persona["id"],
        artist_clip_id=source["id"],
        gpt_description_prompt="a song about trains",
        tags="folk",
        mv="chirp-auk",
    )
    assert len(songs) == 2
    meta = songs[0]["metadata"]
    assert meta["persona_id"] == persona["id"] and meta["type"] == "gen"
    assert meta["gpt_description_prompt"] == "a song about trains"
    assert songs[0]["model_name"] == "chirp-auk"

    refused(
        api,
        "POST",
        "/suno/submit/music",
        404,
        "not_found",
        {"task": "artist_consistency", "persona_id": "nobody", "prompt": LYRIC},
    )
    upload = ok(api, "POST", "/suno/uploads/audio-url", {"url": source["audio_url"]})
    message = refused(
        api,
        "POST",
        "/suno/persona/create",
        400,
        "bad_request",
        {**body, "root_clip_id": upload["id"], "clips": [upload["id"]]},
    )
    assert "upload" in message
    message = refused(
        api, "POST", "/suno/persona/create", 400, "bad_request", {**body, "root_clip_id": ""}
    )
    assert "`root_clip_id`" in message


# --- side endpoints -----------------------------------------------------------------------
def test_stems_timing_and_mp4_are_only_for_chirp_auk(api):
    clip = song(api, mv="chirp-v4")
    for kind in ("stems", "timing", "mp4"):
        message = refused(api, "GET", f"/suno/act/{kind}/{clip['id']}", 400, "model_not_supported")
        assert "chirp-auk" in message
    body = {"task": "gen_stem", "continue_clip_id": clip["id"]}
    message = refused(api, "POST", "/suno/submit/music", 400, "model_not_supported", body)
    assert message == "Stems are only available for chirp-auk (v4.5) songs."


def test_stems_timing_and_mp4_for_a_chirp_auk_song(api):
    clip = song(api, mv="chirp-auk")
    stems = clips_of(api, ok(api, "GET", f"/suno/act/stems/{clip['id']}"))
    assert [s["title"] for s in stems] == ["Test - Vocals", "Test - Instrumental"]
    for stem in stems:
        assert stem["metadata"]["type"] == "stem"
        assert stem["metadata"]["stem_from_id"] == clip["id"]
        assert stem["model_name"] == "chirp-auk"
        assert stem["metadata"]["duration"] == pytest.approx(clip["metadata"]["duration"])
    again = make(api, task="gen_stem", continue_clip_id=clip["id"])
    assert [s["title"] for s in again] == ["Test - Vocals", "Test - Instrumental"]

    timing = ok(api, "GET", f"/suno/act/timing/{clip['id']}")
    assert timing["is_streamed"] is False and 0 <= timing["hoot_cer"] < 1
    assert timing["waveform_data"] and timing["aligned_words"]
    first = timing["aligned_words"][0]
    assert first["word"].startswith("[Verse]\nFirst line here")
    assert 0 <= first["start_s"] < first["end_s"] <= clip["metadata"]["duration"]

    video = ok(api, "GET", f"/suno/act/mp4/{clip['id']}")
    assert video["video_url"].endswith(f"/media/{clip['id']}.mp4")
    assert api.get(video["video_url"]).headers["content-type"] == "video/mp4"


def test_wav_for_any_model(api):
    clip = song(api, mv="chirp-v3-5")
    answer = ok(api, "GET", f"/suno/act/wav/{clip['id']}")
    assert answer["wav_file_url"].endswith(f"/media/{clip['id']}.wav")
    assert api.get(answer["wav_file_url"]).content[:4] == b"RIFF"
    upload = ok(api, "POST", "/suno/uploads/audio-url", {"url": clip["audio_url"]})
    refused(api, "GET", f"/suno/act/wav/{upload['id']}", 400, "bad_request")


def test_feed_lists_known_clips(api):
    first, second = make(api, gpt_description_prompt="two songs")
    feed = ok(api, "GET", f"/suno/feed/{second['id']},nope,{first['id']}")
    assert [c["id"] for c in feed] == [second["id"], first["id"]]
    assert feed[0] == second
    assert ok(api, "GET", "/suno/feed/nope") == []


def test_lyrics_are_a_task_on_the_same_clock(api, simulator):
    now = [2_000_000.0]
    simulator.clock = lambda: now[0]
    simulator.queued_seconds, simulator.running_seconds = 1, 1
    refused(api, "POST", "/suno/submit/lyrics", 400, "bad_request", {"prompt": " "})
    task_id = submit(api, "/suno/submit/lyrics", prompt="a song about rain")
    pending = task(api, task_id)
    assert (pending["action"], pending["status"], pending["data"]) == ("LYRICS", "SUBMITTED", None)
    now[0] += 3
    done = task(api, task_id)
    assert (done["status"], done["progress"]) == ("SUCCESS", "100%")
    assert done["data"] == {
        "text": words.invent_lyric("a song about rain"),
        "title": words.invent_title("a song about rain"),
        "tags": "",
        "status": "complete",
    }


# --- callbacks ----------------------------------------------------------------------------
def test_notify_hook_schedules_the_task_object(api, simulator, monkeypatch):
    scheduled = []
    monkeypatch.setattr(
        simulator, "schedule_callback", lambda *args, **kwargs: scheduled.append((args, kwargs))
    )
    task_id = submit(api, gpt_description_prompt="x", notify_hook="https://studio.test/hook")
    lyrics_id = submit(
        api, "/suno/submit/lyrics", prompt="rain", notify_hook="https://studio.test/hook"
    )
    submit(api, gpt_description_prompt="no hook")
    assert [args for args, _ in scheduled] == [
        (task_id, "https://studio.test/hook"),
        (lyrics_id, "https://studio.test/hook"),
    ]
    body = scheduled[0][1]["body"]
    assert body(task_id) == task(api, task_id)  # the task object itself, not wrapped
    assert body(lyrics_id)["action"] == "LYRICS"


@pytest.mark.parametrize("lose", [False, True])
def test_callbacks_are_posted_unless_lost(api, simulator, monkeypatch, lose):
    posted = []

    class Now:
        def __init__(self, delay, fire):
            self.fire = fire

        def start(self):
            self.fire()

    def fake_request(method, url, *, json, **kwargs):
        assert method == "POST"
        posted.append((url, json))

    monkeypatch.setattr(app, "threading", types.SimpleNamespace(Timer=Now))
    monkeypatch.setattr(netguard, "request", fake_request)
    simulator.send_callbacks = True
    simulator.faults.lose_callbacks = lose
    task_id = submit(api, gpt_description_prompt="x", notify_hook="https://studio.test/hook")
    if lose:
        assert posted == []
    else:
        assert posted == [("https://studio.test/hook", task(api, task_id))]
