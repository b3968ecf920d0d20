"""Every SunoHub action and side endpoint of the simulator, with real audio semantics."""

import io
import wave

import httpx
import numpy as np
import pytest

from music import upstream
from music.upstream.base import JobState, SongRequest, UpstreamError
from music.upstream.simulator import audio, engine, media

SR = audio.SAMPLE_RATE
FADE = engine.CONCAT_FADE
LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"
MORE = "[Verse]\nMore words to sing\nAnd more of them"


@pytest.fixture
def api(simulator):
    with httpx.Client(
        transport=httpx.WSGITransport(app=simulator), base_url=upstream.SIMULATOR_BASE_URL
    ) as client:
        yield client


def post(api, path, **body):
    response = api.post(path, json=body)
    return response.status_code, response.json()


def audios(api, **body):
    status, answer = post(api, "/suno/audios", **body)
    assert status == 200, answer
    assert all(clip["state"] == "succeeded" for clip in answer["data"])
    return answer["data"]


def unfinished_clip(api, simulator):
    """The id of a clip still being made. Asked with a callback URL, so the answer comes at
    once: without one, SunoHub answers only when the songs are done."""
    _, answer = post(
        api, "/suno/audios", action="generate", prompt="later", callback_url="http://studio.test/"
    )
    return simulator._clips(answer["task_id"])[0]["id"]


def refused(api, path, status, **body):
    got, answer = post(api, path, **body)
    assert got == status, answer
    assert answer["success"] is False and answer["trace_id"]
    return answer["error"]["message"]


def generate(api, lyric=LYRIC, is_pro=True, **extra):
    body = {"action": "generate", "custom": True, "lyric": lyric, "style": "pop", "title": "Test"}
    return audios(api, **body, is_pro=is_pro, **extra)[0]


def extend(api, clip, at, lyric=MORE, **extra):
    body = {"action": "extend", "audio_id": clip["id"], "continue_at": at, "lyric": lyric}
    return audios(api, **{**body, "custom": True, "is_pro": True, **extra})


def mix_of(simulator, clip_id):
    return simulator.mix(simulator._clip(clip_id))


def spec_of(simulator, clip_id):
    return simulator.spec(simulator._clip(clip_id))


@pytest.fixture
def song(api):
    return generate(api)


# --- extend -------------------------------------------------------------------------------
def test_extend_makes_two_new_parts_in_the_parents_key_and_tempo(api, simulator, song):
    parts = extend(api, song, 5)
    assert len(parts) == 2
    assert all(p["duration"] > 0 and p["title"] == "Test" for p in parts)
    assert all(p["lyric"] == MORE for p in parts)
    parent = spec_of(simulator, song["id"])["song"]
    for part in parts:
        spec = spec_of(simulator, part["id"])
        assert (spec["kind"], spec["parent"], spec["continue_at"]) == ("extend", song["id"], 5.0)
        child = spec["song"]
        plan_a = audio._plan(parent["seed"], parent["style"], parent["variant"])
        plan_b = audio._plan(child["seed"], child["style"], child["variant"])
        assert (plan_a.tonic, plan_a.minor, plan_a.s16) == (plan_b.tonic, plan_b.minor, plan_b.s16)
    # The two takes differ; the same request again gives the same audio.
    first, second = (mix_of(simulator, p["id"]) for p in parts)
    assert not np.array_equal(first, second)
    again = extend(api, song, 5)
    assert np.array_equal(mix_of(simulator, again[0]["id"]), first)


@pytest.mark.parametrize("at", [0, -1, 999, "soon", True, None])
def test_extend_refuses_a_bad_continue_at(api, song, at):
    body = {"action": "extend", "audio_id": song["id"], "lyric": MORE, "custom": True}
    if at is not None:
        body["continue_at"] = at
    assert "continue_at" in refused(api, "/suno/audios", 400, **body)


def test_extend_refuses_unknown_unfinished_and_uploaded_songs(api, simulator, song):
    body = {"action": "extend", "continue_at": 1, "lyric": MORE}
    refused(api, "/suno/audios", 404, audio_id="nope", **body)
    simulator.queued_seconds = 60
    waiting = unfinished_clip(api, simulator)
    assert "not finished" in refused(api, "/suno/audios", 400, audio_id=waiting, **body)
    simulator.queued_seconds = 0
    _, uploaded = post(api, "/suno/upload", audio_url=song["audio_url"])
    message = refused(api, "/suno/audios", 400, audio_id=uploaded["data"]["audio_id"], **body)
    assert "upload_extend" in message
    assert "lyric" in refused(
        api, "/suno/audios", 400, action="extend", audio_id=song["id"], continue_at=1
    )


def test_extend_answers_only_the_task_id_with_a_callback(api, song):
    status, answer = post(
        api,
        "/suno/audios",
        action="extend",
        audio_id=song["id"],
        continue_at=3,
        lyric=MORE,
        callback_url="http://127.0.0.1:1/hook",
    )
    assert status == 200 and list(answer) == ["task_id"]


# --- concat -------------------------------------------------------------------------------
def test_a_chain_concatenates_into_one_song_as_long_as_its_parts(api, simulator, settings):
    provider = upstream.get_provider()

    def submit(**fields):
        result = provider.submit(SongRequest(**fields)).result
        assert result.state == JobState.SUCCEEDED
        return result.clips

    a = submit(custom=True, lyric=LYRIC, style="pop", title="Chain", is_pro=True)[0]
    t_a = round(a.duration - 2, 2)
    b = submit(action="extend", audio_id=a.id, continue_at=t_a, custom=True, lyric=MORE)[0]
    t_b = round(b.duration - 1, 2)
    c = submit(action="extend", audio_id=b.id, continue_at=t_b, custom=True, lyric="[Chorus]\nEnd")
    c = c[0]
    (whole,) = submit(action="concat", audio_id=c.id)

    assert abs(whole.duration - (t_a + t_b + c.duration - 2 * FADE)) < 0.01
    assert whole.concat_history == [
        {"id": a.id, "continue_at": t_a, "type": "gen", "source": "web", "infill": False},
        {"id": b.id, "continue_at": t_b, "type": "gen", "infill": False},
        {"id": c.id},
    ]
    assert whole.lyric == "\n".join([LYRIC, MORE, "[Chorus]\nEnd"])
    assert whole.title == "Chain"
    # Really joined: the head is A's PCM and the tail C's, sample for sample.
    joined, head, tail = (mix_of(simulator, x.id) for x in (whole, a, c))
    assert abs(len(joined) / SR - whole.duration) < 0.001
    keep = round(t_a * SR) - round(FADE * SR)
    assert np.array_equal(joined[:keep], head[:keep])
    fade = round(FADE * SR)
    assert np.array_equal(joined[-(len(tail) - fade) :], tail[fade:])
    assert abs(audio.mp3_duration(api.get(whole.audio_url).content) - whole.duration) < 0.15


def test_concat_needs_a_fragment(api, song):
    message = refused(api, "/suno/audios", 400, action="concat", audio_id=song["id"])
    assert "nothing to concatenate" in message
    refused(api, "/suno/audios", 404, action="concat", audio_id="missing")


# --- stems --------------------------------------------------------------------------------
def test_stems_sum_exactly_to_the_mix(api, simulator, song):
    vocals, backing = audios(api, action="stems", audio_id=song["id"])
    assert (vocals["title"], backing["title"]) == ("Test - Vocals", "Test - Instrumental")
    assert (vocals["lyric"], backing["lyric"]) == (LYRIC, "")
    assert vocals["duration"] == backing["duration"] == song["duration"]
    source = mix_of(simulator, song["id"])
    total = mix_of(simulator, vocals["id"]).astype(np.int32) + mix_of(simulator, backing["id"])
    assert np.array_equal(total, source)
    assert np.abs(mix_of(simulator, vocals["id"])).max() > 1000  # not an empty stem
    # The source's own stored stems are exactly these.
    stored_vocals, stored_backing = simulator.stems(simulator._clip(song["id"]))
    assert np.array_equal(stored_vocals, mix_of(simulator, vocals["id"]))
    assert np.array_equal(stored_backing, mix_of(simulator, backing["id"]))


def test_stems_need_a_song_made_in_the_pro_pool(api):
    plain = generate(api, is_pro=False)
    message = refused(api, "/suno/audios", 400, action="stems", audio_id=plain["id"], is_pro=True)
    assert "Pro pool" in message


# --- cover --------------------------------------------------------------------------------
def test_cover_needs_the_pro_pool_and_keeps_the_melody(api, simulator, song):
    message = refused(
        api, "/suno/audios", 400, action="cover", audio_id=song["id"], style="rock, punk"
    )
    assert message.startswith("cover requires the Pro pool")
    covers = audios(api, action="cover", audio_id=song["id"], style="rock, punk", is_pro=True)
    assert len(covers) == 2
    original = spec_of(simulator, song["id"])["song"]
    for cover in covers:
        assert (cover["lyric"], cover["style"], cover["title"]) == (LYRIC, "rock, punk", "Test")
        spec = spec_of(simulator, cover["id"])["song"]
        assert (spec["seed"], spec["melody"], spec["lyric"]) == (
            original["seed"],
            original["seed"],
            LYRIC,
        )
        assert audio._plan(spec["seed"], spec["style"], 0).drums == "rock"
    assert not np.array_equal(mix_of(simulator, covers[0]["id"]), mix_of(simulator, song["id"]))


# --- replace_section ----------------------------------------------------------------------
NEW = "A brand new line"


@pytest.mark.parametrize(
    ("start", "end", "prompt", "message"),
    [
        (5, 3, NEW, "before the end"),
        (4, 4, NEW, "before the end"),
        (-1, 3, NEW, "at least 0"),
        (2, 999, NEW, "inside the song"),
        (2, 6, "Not in the lyric at all", "part of `lyric`"),
        (2, 6, "", "`prompt`"),
    ],
)
def test_replace_section_validation(api, song, start, end, prompt, message):
    body = {
        "action": "replace_section",
        "audio_id": song["id"],
        "lyric": f"[Verse]\nFirst line here\n{NEW}",
        "prompt": prompt,
        "replace_section_start": start,
        "replace_section_end": end,
    }
    assert message in refused(api, "/suno/audios", 400, **body)


def test_replace_section_window_is_at_most_a_minute(api, simulator):
    simulator.max_duration = 80
    long_song = audios(api, action="generate", prompt="a long winter night ballad")[0]
    assert long_song["duration"] > 65
    body = {"action": "replace_section", "audio_id": long_song["id"], "lyric": NEW, "prompt": NEW}
    message = refused(
        api, "/suno/audios", 400, **body, replace_section_start=1, replace_section_end=62
    )
    assert "60 seconds" in message


def test_concat_of_a_replaced_section_keeps_the_songs_length(api, simulator, song):
    start, end = 3.0, 7.5
    fragments = audios(
        api,
        action="replace_section",
        audio_id=song["id"],
        lyric=f"[Verse]\nFirst line here\n{NEW}",
        prompt=NEW,
        replace_section_start=start,
        replace_section_end=end,
        replace_section_result_mode="candidates",  # the documented default is `full_song`
    )
    assert len(fragments) == 2
    assert all(abs(f["duration"] - (end - start)) < 0.01 for f in fragments)
    (whole,) = audios(api, action="concat", audio_id=fragments[0]["id"])
    assert abs(whole["duration"] - (song["duration"] - 2 * FADE)) < 0.01
    first, second = whole["concat_history"]
    assert first["id"] == song["id"] and second == {"id": fragments[0]["id"]}
    assert (first["continue_at"], first["infill"], first["infill_end"]) == (start, True, end)
    joined, original = mix_of(simulator, whole["id"]), mix_of(simulator, song["id"])
    keep = round(start * SR) - round(FADE * SR)
    assert np.array_equal(joined[:keep], original[:keep])
    tail = len(original) - round(end * SR) - round(FADE * SR)
    assert np.array_equal(joined[-tail:], original[-tail:])
    assert whole["lyric"].startswith(f"[Verse]\nFirst line here\n{NEW}")


# --- upload -------------------------------------------------------------------------------
def test_upload_of_a_simulator_url_decodes_it(api, simulator, song):
    status, answer = post(api, "/suno/upload", audio_url=song["audio_url"])
    assert status == 200, answer
    data = answer["data"]
    assert set(data) == {
        "audio_id",
        "lyric",
        "style",
        "image_url",
        "image_large_url",
        "audio_url",
        "title",
        "duration",
    }
    assert data["title"].startswith("up-") and data["lyric"] == ""
    assert abs(data["duration"] - song["duration"]) < 0.15
    assert spec_of(simulator, data["audio_id"])["kind"] == "upload"
    vocals, backing = simulator.stems(simulator._clip(data["audio_id"]))
    assert not vocals.any() and backing.any()
    assert api.get(data["audio_url"]).status_code == 200
    # The same upload as a task: one finished clip.
    record = api.post("/suno/tasks", json={"action": "retrieve", "id": answer["task_id"]}).json()
    assert record["path"] == "/suno/upload"  # listed as the call it was, with its answer
    assert record["response"]["data"]["audio_id"] == data["audio_id"]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a.mp3", "", "http://127.0.0.1:9/nothing.mp3", "{base}/media/x.mp3"],
)
def test_upload_refuses_what_it_cannot_fetch(api, url):
    url = url.format(base=upstream.SIMULATOR_BASE_URL)
    assert "audio_url" in refused(api, "/suno/upload", 400, audio_url=url)


def test_upload_fetches_other_hosts_over_http(api, live_simulator, monkeypatch):
    remote = httpx.post(
        f"{live_simulator.base_url}/suno/audios",
        json={"prompt": "far away", "model": "chirp-v4"},
        headers={"Authorization": "Bearer x"},
    ).json()["data"][0]
    status, answer = post(api, "/suno/upload", audio_url=remote["audio_url"])
    assert status == 200, answer
    assert abs(answer["data"]["duration"] - remote["duration"]) < 0.15
    monkeypatch.setattr(media, "FETCH_MAX_BYTES", 10_000)
    assert "50 MB" in refused(api, "/suno/upload", 400, audio_url=remote["audio_url"])


def test_upload_by_link_refuses_private_addresses_without_saying_what_answered(api):
    """Open port or closed, loopback or metadata: one answer, and nothing is connected to."""
    from tests.localserver import Route, closed_port, local_server
    from tests.mediafiles import mp3_frames

    with local_server({"/": Route(mp3_frames())}) as internal:
        urls = [
            f"http://127.0.0.1:{internal.port}/",
            f"http://127.0.0.1:{closed_port()}/",
            f"http://localhost:{internal.port}/",
            "http://169.254.169.254/latest/meta-data/",
            f"http://[::ffff:127.0.0.1]:{internal.port}/",
        ]
        messages = {refused(api, "/suno/upload", 400, audio_url=url) for url in urls}
        assert internal.hits == []
    (message,) = messages
    assert message == "`audio_url` is not allowed: it must be a public http(s) address."
    for word in ("refused", "connect", "port", "timed out"):
        assert word not in message.lower()


def test_upload_by_link_checks_every_redirect(api, settings):
    from tests.localserver import Route, local_server
    from tests.mediafiles import mp3_frames

    with local_server({"/secret.mp3": Route(mp3_frames())}) as internal, local_server() as public:
        settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [public.host_port]  # stands for a public host
        public.routes["/a.mp3"] = Route(
            status=302, headers={"Location": internal.url("/secret.mp3")}
        )
        message = refused(api, "/suno/upload", 400, audio_url=public.url("/a.mp3"))
        assert "not allowed" in message
        assert internal.hits == []


def test_upload_refuses_what_is_not_audio(api, song):
    assert "decoded" in refused(api, "/suno/upload", 400, audio_url=song["image_url"])


def test_upload_generate_and_upload_extend_continue_the_upload(api, simulator, song):
    body = {"lyric": MORE, "custom": True, "style": "jazz", "continue_at": 4}
    parts = audios(api, action="upload_generate", audio_url=song["audio_url"], **body)
    assert len(parts) == 2
    parent = spec_of(simulator, parts[0]["id"])["parent"]
    assert spec_of(simulator, parent)["kind"] == "upload"
    (whole,) = audios(api, action="concat", audio_id=parts[0]["id"])
    assert whole["concat_history"][0]["id"] == parent
    assert whole["concat_history"][0]["type"] == "upload"
    assert abs(whole["duration"] - (4 + parts[0]["duration"] - FADE)) < 0.01
    assert len(audios(api, action="upload_extend", audio_id=parent, **body)) == 2
    refused(api, "/suno/audios", 400, action="upload_extend", audio_id=song["id"], **body)
    no_start = {**body, "continue_at": 0}
    refused(
        api, "/suno/audios", 400, action="upload_generate", audio_url=song["audio_url"], **no_start
    )


# --- personas -----------------------------------------------------------------------------
def test_persona_sings_new_words_in_its_voice(api, simulator, song):
    status, answer = post(
        api, "/suno/persona", name="Nova", description="bright", audio_id=song["id"]
    )
    assert status == 200, answer
    assert answer["data"]["name"] == "Nova" and answer["data"]["description"] == "bright"
    persona_id = answer["data"]["persona_id"]
    body = {"action": "artist_consistency", "persona_id": persona_id, "audio_id": song["id"]}
    assert "Pro pool" in refused(api, "/suno/audios", 400, **body, prompt="A Christmas song")
    refused(api, "/suno/audios", 400, **body, is_pro=True)  # no words
    refused(api, "/suno/audios", 404, **{**body, "persona_id": "ghost"}, prompt="x", is_pro=True)
    clips = audios(api, **body, prompt="A song for Christmas", style="bells", is_pro=True)
    assert len(clips) == 2
    source = spec_of(simulator, song["id"])["song"]
    voice = list(audio.voice_of(source["seed"], source["style"], source["variant"]))
    for clip in clips:
        assert clip["style"] == "bells, pop"
        assert spec_of(simulator, clip["id"])["song"]["voice"] == voice


def test_persona_refuses_uploads_and_missing_names(api, song):
    _, uploaded = post(api, "/suno/upload", audio_url=song["audio_url"])
    message = refused(api, "/suno/persona", 400, name="X", audio_id=uploaded["data"]["audio_id"])
    assert message == "A persona cannot be made from an uploaded song."
    assert "name" in refused(api, "/suno/persona", 400, name="", audio_id=song["id"])
    refused(api, "/suno/persona", 404, name="X", audio_id="missing")


# --- timing -------------------------------------------------------------------------------
def test_timing_lines_follow_the_seed_shape_and_the_audio(api, simulator):
    simulator.max_duration = 30
    song = generate(api)
    status, answer = post(api, "/suno/timing", audio_id=song["id"])
    assert status == 200, answer
    data = answer["data"]
    assert set(data) == {"aligned_words", "waveform_data", "hoot_cer", "is_streamed"}
    assert [w["word"] for w in data["aligned_words"]] == [
        "[Verse]\nFirst line here\n",
        "Second line here\n\n",
        "[Chorus]\nSing it loud\n",
        "Sing it proud\n\n",
    ]
    starts = [w["start_s"] for w in data["aligned_words"]]
    assert starts == sorted(starts)
    assert all(0 < w["start_s"] < w["end_s"] <= song["duration"] for w in data["aligned_words"])
    assert all(w["success"] is True and w["p_align"] == 0.99 for w in data["aligned_words"])
    # The times are when the voice is heard.
    vocals, _ = simulator.stems(simulator._clip(song["id"]))
    intro = vocals[: int((starts[0] - 0.25) * SR)]  # a consonant may lead in a little
    word = data["aligned_words"][0]
    sung = vocals[int(word["start_s"] * SR) : int(word["end_s"] * SR)]
    assert np.abs(intro).max() == 0 and np.sqrt(np.mean(sung.astype(float) ** 2)) > 300
    waveform = data["waveform_data"]
    assert abs(len(waveform) - 20 * song["duration"]) <= 1
    assert all(0 < v <= 1 and round(v, 5) == v for v in waveform)


def test_timing_of_a_concat_uses_offsets_in_the_joined_audio(api, simulator, song):
    part = extend(api, song, 5, lyric="[Chorus]\nLate words")[0]
    (whole,) = audios(api, action="concat", audio_id=part["id"])
    _, own = post(api, "/suno/timing", audio_id=part["id"])
    _, joined = post(api, "/suno/timing", audio_id=whole["id"])
    late = own["data"]["aligned_words"][-1]
    moved = joined["data"]["aligned_words"][-1]
    assert late["word"] == moved["word"] == "[Chorus]\nLate words\n\n"
    assert abs(moved["start_s"] - (late["start_s"] + 5 - FADE)) < 1e-3
    assert [w["word"] for w in joined["data"]["aligned_words"]][0].startswith("[Verse]\n")


def test_timing_of_an_instrumental_has_no_words(api):
    (clip, _) = audios(api, action="generate", prompt="calm piano", instrumental=True)
    _, answer = post(api, "/suno/timing", audio_id=clip["id"])
    assert answer["data"]["aligned_words"] == [] and answer["data"]["waveform_data"]


# --- wav and mp4 --------------------------------------------------------------------------
def test_wav_is_the_lossless_mix(api, simulator, song):
    status, answer = post(api, "/suno/wav", audio_id=song["id"])
    assert status == 200, answer
    url = answer["data"][0]["file_url"]
    assert url == f"{upstream.SIMULATOR_BASE_URL}/media/{song['id']}.wav"
    body = api.get(url).content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    with wave.open(io.BytesIO(body)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SR)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(pcm, mix_of(simulator, song["id"]))
    # The MP3 was encoded from that same PCM.
    assert abs(audio.mp3_duration(api.get(song["audio_url"]).content) - len(pcm) / SR) < 0.15


def test_wav_needs_the_pro_pool(api):
    plain = generate(api, is_pro=False)
    assert "Pro pool" in refused(api, "/suno/wav", 400, audio_id=plain["id"])
    assert api.get(f"/media/{plain['id']}.wav").status_code == 404


def test_mp4_is_a_real_video_rendered_once(api, simulator, song, monkeypatch):
    renders = []
    real_render = media.render_mp4

    def counting_render(*args, **kwargs):
        renders.append(args[-1])
        return real_render(*args, **kwargs)

    monkeypatch.setattr(media, "render_mp4", counting_render)
    status, answer = post(api, "/suno/mp4", audio_id=song["id"])
    assert status == 200, answer
    assert len(renders) == 1
    url = answer["data"]["video_url"]
    assert url.endswith(f"/media/{song['id']}.mp4")
    video = api.get(url)
    assert video.headers["content-type"] == "video/mp4"
    assert len(video.content) > 1000 and video.content[4:8] == b"ftyp"
    rendered = renders[0].stat().st_mtime_ns
    assert post(api, "/suno/mp4", audio_id=song["id"])[1]["data"]["video_url"] == url
    assert len(renders) == 1  # the second request reuses the video
    assert renders[0].stat().st_mtime_ns == rendered
    assert api.get(url).content == video.content
    # A finished song's clip now links its video.
    record = api.post("/suno/tasks", json={"action": "retrieve", "id": song_task(simulator, song)})
    assert record.json()["response"]["data"][0]["video_url"] == url


def song_task(simulator, clip):
    return simulator._clip(clip["id"])["job_id"]


# --- media, validation and faults ---------------------------------------------------------
def test_media_of_unknown_or_unfinished_clips_is_404(api, simulator):
    simulator.queued_seconds = 60
    waiting = unfinished_clip(api, simulator)
    for name in (f"{waiting}.mp3", f"image_{waiting}.png", "nope.mp3", "x.exe", "image_nope.png"):
        response = api.get(f"/media/{name}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert "not finished" in refused(api, "/suno/timing", 400, audio_id=waiting)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"action": "remix", "prompt": "x"}, 400, "Unknown action"),
        ({"prompt": "x", "model": "chirp-v9"}, 400, "Unknown model"),
        ({"prompt": "x", "model": "chirp-v4-5"}, 400, "Pro pool"),
        ({"custom": True, "lyric": "la " * 1100, "model": "chirp-v4"}, 400, "`lyric` is over"),
        ({"prompt": "x", "style": "s" * 201}, 400, "`style` is over"),
        ({"custom": False}, 400, "`prompt` is required"),
        ({"prompt": "x", "title": "Shape of You"}, 403, "copyrighted"),
    ],
)
def test_upstream_constraints_are_refused(api, body, status, message):
    assert message in refused(api, "/suno/audios", status, **body)


def test_actions_check_words_too(api, song):
    body = {"action": "extend", "audio_id": song["id"], "continue_at": 2, "custom": True}
    refused(api, "/suno/audios", 403, **body, lyric="Bohemian Rhapsody all night")
    refused(api, "/suno/audios", 400, **body, lyric=MORE, model="chirp-v4-5")


SIDE = ["/suno/upload", "/suno/persona", "/suno/timing", "/suno/wav", "/suno/mp4"]


@pytest.mark.parametrize("path", SIDE)
def test_side_endpoints_answer_faults_like_the_rest(api, simulator, path):
    simulator.faults.next_errors.append((429, "too_many_requests", "Slow down."))
    response = api.post(path, json={"audio_id": "x"})
    assert response.status_code == 429
    assert response.json()["error"] == {"code": "too_many_requests", "message": "Slow down."}
    simulator.faults.malformed = True
    assert api.post(path, json={}).content == b"<html>oops</html>"
    simulator.faults.malformed = False
    simulator.api_key = "right"
    assert api.post(path, json={}).json()["error"]["code"] == "invalid_token"
    assert simulator.requests[-3:] == [("POST", path)] * 3


def test_failed_jobs_cannot_be_worked_on(api, simulator, song):
    simulator.faults.fail_jobs = "Audio generation failed."
    _, answer = post(
        api, "/suno/audios", action="extend", audio_id=song["id"], continue_at=2, lyric=MORE
    )
    assert {c["state"] for c in answer["data"]} == {"error"}
    assert "failed" in refused(api, "/suno/wav", 400, audio_id=answer["data"][0]["id"])


def test_the_single_module_names_still_import():
    from music.upstream.simulator.app import ApiError, Faults, Simulator, boost_style

    assert issubclass(Simulator, engine.Engine) and Faults is engine.Faults
    assert ApiError is engine.ApiError and boost_style("jazz", short=True) == "uplifting, jazz"


def test_the_client_maps_action_refusals(song):
    provider = upstream.get_provider()
    with pytest.raises(UpstreamError) as info:
        provider.submit(SongRequest(action="cover", audio_id=song["id"], style="jazz"))
    assert (info.value.status, info.value.permanent) == (400, True)
    assert "Pro pool" in info.value.message
