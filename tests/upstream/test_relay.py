"""The relay client reads sellers' variations defensively and explains what it cannot read."""

import httpx
import pytest

from music.upstream.base import JobState, UpstreamError
from music.upstream.http import make_client
from music.upstream.relay import Relay, parse_task


def relay(handler):
    return Relay(make_client("http://gateway.test", "key", transport=httpx.MockTransport(handler)))


def task(**overrides):
    base = {
        "task_id": "t1",
        "action": "MUSIC",
        "status": "SUCCESS",
        "progress": "100%",
        "fail_reason": "",
        "data": [
            {
                "id": "c1",
                "status": "complete",
                "audio_url": "http://gateway.test/c1.mp3",
                "model_name": "chirp-auk",
                "metadata": {"tags": "pop", "prompt": "[Verse]\nla", "duration": 61.5},
            }
        ],
    }
    base.update(overrides)
    return base


def test_a_native_clip_maps_onto_the_studio():
    result = parse_task(task())
    clip = result.clips[0]
    assert (result.state, result.progress) == (JobState.SUCCEEDED, 100)
    assert (clip.model, clip.style, clip.lyric, clip.duration) == (
        "chirp-v4-5",
        "pop",
        "[Verse]\nla",
        61.5,
    )


@pytest.mark.parametrize(
    ("status", "progress", "state"),
    [
        ("NOT_START", "0%", JobState.PENDING),
        ("SUBMITTED", "0%", JobState.PENDING),
        ("QUEUED", "5%", JobState.PENDING),
        ("IN_PROGRESS", "45%", JobState.RUNNING),
        ("UNKNOWN", None, JobState.RUNNING),
    ],
)
def test_statuses_and_progress(status, progress, state):
    result = parse_task(task(status=status, progress=progress, data=[]))
    assert result.state == state
    assert result.progress == (int(progress.rstrip("%")) if progress else None)


def test_failure_keeps_the_gateway_reason():
    result = parse_task(task(status="FAILURE", fail_reason="Content moderation", data=[]))
    assert (result.state, result.error) == (
        JobState.FAILED,
        "The gateway could not make this song. Details: “Content moderation”.",
    )


@pytest.mark.parametrize(
    "odd",
    [
        {"status": "EXPLODED"},
        {"status": "SUCCESS", "data": []},
        {"data": [{"status": "complete"}]},
    ],
)
def test_unknown_shapes_fail_the_task_with_a_reason(odd):
    def handler(request):
        return httpx.Response(200, json={"code": "success", "data": [task(**odd)]})

    result = relay(handler).fetch(["t1"])["t1"]
    assert result.state == JobState.FAILED
    assert "did not look like the relay format" in result.error


def test_a_200_with_an_error_code_is_an_error():
    def handler(request):
        return httpx.Response(
            200, json={"code": "quota_exhausted", "message": "No credit left", "data": None}
        )

    with pytest.raises(UpstreamError) as info:
        relay(handler).check()
    assert (info.value.code, info.value.details) == ("quota_exhausted", "No credit left")
    assert info.value.message.startswith("The gateway refused the request.")


def test_openai_style_errors_are_read():
    def handler(request):
        return httpx.Response(
            401, json={"error": {"message": "Invalid token", "type": "invalid_request_error"}}
        )

    with pytest.raises(UpstreamError) as info:
        relay(handler).check()
    assert info.value.status == 401 and info.value.details == "Invalid token"


def test_a_submit_answer_without_a_task_id_is_malformed():
    def handler(request):
        return httpx.Response(200, json={"code": "success", "data": None})

    from music.upstream.base import SongRequest

    with pytest.raises(UpstreamError) as info:
        relay(handler).submit(SongRequest(prompt="x"))
    assert info.value.code == "malformed" and info.value.accepted


def test_renamed_fields_are_tolerated():
    # Some gateways answer `data: {"task_id": ...}` and `image_url` only.
    def handler(request):
        if request.url.path == "/suno/submit/music":
            return httpx.Response(200, json={"code": "success", "data": {"task_id": "t9"}})
        return httpx.Response(200, json={"code": "success", "data": [task(task_id="t9")]})

    from music.upstream.base import SongRequest

    client = relay(handler)
    assert client.submit(SongRequest(prompt="x")).upstream_id == "t9"
    assert client.fetch(["t9"])["t9"].state == JobState.SUCCEEDED
