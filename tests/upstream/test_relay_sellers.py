"""Sellers answer in more than one shape: the relay client reads each one the simulator can be
told to speak (`RelayWire.variants`, issue #11), through httpx and real HTTP semantics."""

import httpx
import pytest

from music import upstream
from music.upstream.base import ClipState, JobState, SongRequest, UpstreamError
from music.upstream.http import make_client
from music.upstream.relay import Relay
from music.upstream.relay import client as relay_module
from music.upstream.sunohub import SunoHub

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud"


def client_for(simulator, cls=Relay):
    transport = httpx.WSGITransport(app=simulator)
    return cls(make_client(upstream.SIMULATOR_BASE_URL, "", transport=transport))


@pytest.fixture
def relay(simulator):
    return client_for(simulator)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(relay_module, "sleep", lambda seconds: None)


def song(relay, model="chirp-v4-5"):
    """A finished clip made through the relay (the simulator's jobs finish at once)."""
    job = relay.submit(SongRequest(custom=True, lyric=LYRIC, style="pop", model=model))
    return relay.fetch([job.upstream_id])[job.upstream_id].clips[0]


# --- uploads ------------------------------------------------------------------------------
@pytest.mark.parametrize("variants", [set(), {"upload_id"}], ids=["clip", "id"])
def test_an_upload_is_read_as_a_clip_or_as_an_id_to_look_up(relay, simulator, variants):
    source = song(relay)
    simulator.relay.variants = variants
    simulator.requests.clear()
    uploaded = relay.upload(source.audio_url).clip
    assert uploaded.state == ClipState.SUCCEEDED and uploaded.id != source.id
    assert uploaded.audio_url.endswith(f"/media/{uploaded.id}.mp3")
    assert uploaded.duration == pytest.approx(source.duration, abs=0.1)
    if variants:
        assert ("GET", f"/suno/feed/{uploaded.id}") in simulator.requests


def test_an_upload_answered_by_id_alone_keeps_the_link_it_was_given(simulator):
    def handler(request):
        if request.url.path == "/suno/uploads/audio-url":
            return httpx.Response(200, json={"code": "success", "data": "clip-77"})
        return httpx.Response(404, json={"code": "not_found", "message": "no feed"})

    client = Relay(make_client("http://gateway.test", "k", transport=httpx.MockTransport(handler)))
    clip = client.upload("https://cdn.example/mine.mp3").clip
    assert (clip.id, clip.state, clip.audio_url) == (
        "clip-77",
        ClipState.SUCCEEDED,
        "https://cdn.example/mine.mp3",
    )


def test_upload_and_continue_works_with_an_id_answer(relay, simulator):
    source = song(relay)
    simulator.relay.variants = {"upload_id", "strict_prompt"}
    request = SongRequest(
        action="upload_generate",
        audio_url=source.audio_url,
        continue_at=3,
        custom=True,
        instrumental=True,
        style="rock",
    )
    job = relay.submit(request)
    result = relay.fetch([job.upstream_id])[job.upstream_id]
    assert result.state == JobState.SUCCEEDED and len(result.clips) == 2


# --- stems --------------------------------------------------------------------------------
@pytest.mark.parametrize("variants", [set(), {"stems_clips"}], ids=["task", "clips"])
def test_stems_are_read_as_a_task_or_as_the_clips_themselves(relay, simulator, variants):
    source = song(relay)
    simulator.relay.variants = variants
    job = relay.submit(SongRequest(action="stems", audio_id=source.id))
    result = job.result or relay.fetch([job.upstream_id])[job.upstream_id]
    assert result.state == JobState.SUCCEEDED
    assert [c.title.rsplit(" - ", 1)[-1] for c in result.clips] == ["Vocals", "Instrumental"]
    if variants:
        # Known by its clips: the feed follows it (a poll that comes back finds it there).
        assert job.upstream_id == ",".join(c.id for c in result.clips)
        again = relay.fetch([job.upstream_id])[job.upstream_id]
        assert [c.id for c in again.clips] == [c.id for c in result.clips]


# --- WAV and MP4 --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "variants", [set(), {"file_url"}, {"file_feed"}], ids=["object", "url", "feed"]
)
@pytest.mark.parametrize("kind", ["wav", "mp4"])
def test_exports_are_read_as_an_object_a_link_or_a_clip_in_the_feed(
    relay, simulator, variants, kind
):
    source = song(relay)
    simulator.relay.variants = variants
    answer = getattr(relay, kind)(source.id)
    assert answer.file_url.endswith(f"/media/{source.id}.{kind}")
    body = httpx.Client(transport=httpx.WSGITransport(app=simulator)).get(answer.file_url)
    assert body.content[:4] == b"RIFF" if kind == "wav" else body.content[4:8] == b"ftyp"


def test_an_export_that_never_shows_in_the_feed_is_a_time_out_not_a_failure(monkeypatch):
    def handler(request):
        if request.url.path.startswith("/suno/act/"):
            return httpx.Response(200, json={"code": "success", "data": "clip-1"})
        clip = {"id": "clip-1", "status": "complete", "audio_url": "https://cdn.example/a.mp3"}
        return httpx.Response(200, json={"code": "success", "data": [clip]})

    monkeypatch.setattr(relay_module, "FILE_WAIT", -1)
    client = Relay(make_client("http://gateway.test", "k", transport=httpx.MockTransport(handler)))
    with pytest.raises(UpstreamError) as info:
        client.wav("clip-1")
    assert info.value.code == "timeout" and info.value.accepted and not info.value.permanent


# --- lyrics -------------------------------------------------------------------------------
@pytest.mark.parametrize("variants", [set(), {"lyrics_clip"}], ids=["text", "clip"])
def test_lyrics_are_read_as_text_or_from_a_clip(relay, simulator, variants):
    simulator.relay.variants = variants
    lyrics = relay.lyrics("a song about rain")
    assert "[Verse]" in lyrics.text and lyrics.title


def test_lyrics_from_a_clip_with_the_words_in_text():
    from music.upstream.relay import lyrics_of

    found = lyrics_of([{"id": "c", "title": "Rain", "text": "[Verse]\nwet", "metadata": {}}])
    assert (found.text, found.title) == ("[Verse]\nwet", "Rain")
    assert lyrics_of({"id": "c", "metadata": {"prompt": ""}}) is None


# --- words ----------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["generate", "extend"])
def test_a_style_only_instrumental_carries_a_prompt_for_strict_sellers(relay, simulator, action):
    simulator.relay.variants = {"strict_prompt"}
    base = song(relay) if action == "extend" else None
    request = SongRequest(
        action=action, custom=True, instrumental=True, style="ambient piano", title="Calm"
    )
    if base:
        request.audio_id, request.continue_at = base.id, 3
    assert relay.build_payload(request)["prompt"] == "ambient piano"
    job = relay.submit(request)
    assert relay.fetch([job.upstream_id])[job.upstream_id].state == JobState.SUCCEEDED
    # What such a seller says to a body without one.
    with pytest.raises(UpstreamError, match="prompt is required"):
        relay._call("POST", "/suno/submit/music", {"tags": "x", "make_instrumental": True})


def test_sunohub_style_only_instrumental_carries_a_prompt(simulator):
    simulator.sunohub.strict_prompt = True
    hub = client_for(simulator, SunoHub)
    request = SongRequest(custom=True, instrumental=True, style="ambient piano")
    assert hub.build_payload(request)["prompt"] == "ambient piano"
    job = hub.submit(request, "")
    assert job.result.state == JobState.SUCCEEDED
    with pytest.raises(UpstreamError, match="prompt is required"):
        hub._post("/suno/audios", {"action": "generate", "custom": True, "style": "x"})


# --- jobs the provider does not know ----------------------------------------------------------
def test_sunohub_task_not_found_is_a_missing_job_not_an_error(simulator):
    hub = client_for(simulator, SunoHub)
    assert hub.fetch(["no-such-task"]) == {}
    assert hub.fetch(["no-such-task", "nor-this"]) == {}


def test_a_sunohub_404_that_is_not_json_is_still_an_error():
    def handler(request):
        return httpx.Response(404, text="<html>Not Found</html>")

    hub = SunoHub(make_client("http://hub.test", "k", transport=httpx.MockTransport(handler)))
    with pytest.raises(UpstreamError):
        hub.fetch(["t1"])


def test_relay_missing_tasks_are_absent(relay):
    assert relay.fetch(["no-such-task"]) == {}


# --- what a seller offers ----------------------------------------------------------------------
def test_a_stock_gateway_refuses_what_it_does_not_route(relay, simulator):
    source = song(relay)
    simulator.relay.use_profile("stock")
    for call in (
        lambda: relay.wav(source.id),
        lambda: relay.submit(SongRequest(action="concat", audio_id=source.id)),
        lambda: relay.upload(source.audio_url),
    ):
        with pytest.raises(UpstreamError) as info:
            call()
        assert info.value.status == 404 and info.value.permanent
    with pytest.raises(UpstreamError) as info:
        relay.submit(SongRequest(action="extend", audio_id=source.id, continue_at=2, lyric="la"))
    assert info.value.status == 400
    assert relay.lyrics("rain").text
