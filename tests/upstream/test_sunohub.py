"""SunoHub's wire format: the exact JSON we send, and how every answer is read."""

import io
import json

import httpx
import pytest
from django.utils import translation

from music import upstream
from music.upstream.base import JobState, SongRequest, UpstreamError
from music.upstream.sunohub import SunoHub
from music.upstream.sunohub_answers import parse_audios_answer


@pytest.fixture
def provider(settings):
    return upstream.get_provider()


def test_inspiration_payload_matches_the_seed_example(provider):
    payload = provider.build_payload(SongRequest(prompt="A song for Christmas", model="chirp-v4"))
    # Seed 003's request example, exactly.
    assert payload == {
        "action": "generate",
        "prompt": "A song for Christmas",
        "model": "chirp-v4",
        "custom": False,
        "instrumental": False,
    }


def test_custom_payload_carries_lyrics_style_title_and_callback(provider):
    payload = provider.build_payload(
        SongRequest(
            custom=True,
            lyric="[Verse]\nSnow",
            style="pop",
            title="Winter",
            style_negative="metal",
            model="chirp-v4-5",
            is_pro=True,
        ),
        callback_url="https://studio.example/hooks/x/",
    )
    assert payload == {
        "action": "generate",
        "model": "chirp-v4-5",
        "custom": True,
        "instrumental": False,
        "lyric": "[Verse]\nSnow",
        "title": "Winter",
        "style": "pop",
        "negative_tags": "metal",
        "is_pro": True,
        "callback_url": "https://studio.example/hooks/x/",
    }


def test_submit_and_fetch_through_the_simulator(provider, simulator):
    submission = provider.submit(
        SongRequest(prompt="jazz for a rainy day"), callback_url="http://127.0.0.1:1/hook"
    )
    assert submission.result is None  # callback mode answers with the task id only
    results = provider.fetch([submission.upstream_id])
    result = results[submission.upstream_id]
    assert result.state == JobState.SUCCEEDED
    assert len(result.clips) == 2
    assert all(c.audio_url.startswith(upstream.SIMULATOR_BASE_URL) for c in result.clips)
    assert simulator.requests[-1] == ("POST", "/suno/tasks")


def test_fetch_uses_retrieve_batch_for_many(provider, simulator):
    ids = [provider.submit(SongRequest(prompt=f"song {i}")).upstream_id for i in range(3)]
    simulator.requests.clear()
    results = provider.fetch(ids + ["unknown-id"])
    assert set(results) == set(ids)
    assert simulator.requests == [("POST", "/suno/tasks")]


def test_pending_task_without_response_is_pending(simulator, provider):
    simulator.queued_seconds = 60
    job = provider.submit(SongRequest(prompt="slow"), "http://studio.test/cb/").upstream_id
    assert provider.fetch([job])[job].state == JobState.PENDING


def test_running_clips_make_a_running_job(simulator, provider):
    simulator.running_seconds = 60
    job = provider.submit(SongRequest(prompt="slow"), "http://studio.test/cb/").upstream_id
    result = provider.fetch([job])[job]
    assert result.state == JobState.RUNNING
    assert all(c.audio_url == "" for c in result.clips)


@pytest.mark.parametrize(
    ("status", "code", "permanent", "accepted"),
    [
        (400, "bad_request", True, False),
        (401, "invalid_token", True, False),
        (403, "forbidden", True, False),
        (429, "too_many_requests", False, False),
        (500, "api_error", False, True),
        (504, "timeout", False, True),
    ],
)
def test_error_answers_map_to_domain_errors(provider, simulator, status, code, permanent, accepted):
    simulator.faults.next_errors.append((status, code, f"message {status}"))
    with pytest.raises(UpstreamError) as info:
        provider.submit(SongRequest(prompt="x"))
    error = info.value
    assert (error.status, error.code, error.details) == (status, code, f"message {status}")
    assert error.message == (
        f"The provider answered with an error (HTTP {status}). Details: “message {status}”."
    )
    assert (error.permanent, error.accepted) == (permanent, accepted)


def test_the_simulator_refuses_like_the_real_service(provider):
    with pytest.raises(UpstreamError) as info:
        provider.submit(SongRequest(prompt="a cover of Bohemian Rhapsody"))
    assert info.value.status == 403
    assert info.value.details == "Prompt likely copyrighted."


def test_errors_speak_the_active_language_and_keep_the_providers_words(provider):
    """A failure made while Chinese is active reads Chinese, with the provider's words
    quoted as they came (the queue worker makes them in LANGUAGE_CODE the same way)."""
    with translation.override("zh-hans"), pytest.raises(UpstreamError) as info:
        provider.submit(SongRequest(prompt="a cover of Bohemian Rhapsody"))
    assert info.value.message == (
        "服务商返回了错误（HTTP 403）。详情：“Prompt likely copyrighted.”"
    )
    with translation.override("zh-hans"):
        failed = parse_audios_answer(
            "t", {"success": True, "data": [{"id": "a", "state": "error"}]}
        )
    assert failed.error == "服务商未能生成这首歌曲。"


def test_unreachable_host_is_not_accepted():
    provider = SunoHub(upstream.make_client("http://127.0.0.1:9", "key", timeout=2))
    with pytest.raises(UpstreamError) as info:
        provider.submit(SongRequest(prompt="x"))
    assert info.value.code == "unreachable"
    assert info.value.safe_to_retry


def test_a_bad_key_is_explained(simulator):
    simulator.api_key = "right"
    client = upstream.make_client(
        upstream.SIMULATOR_BASE_URL, "wrong", transport=httpx.WSGITransport(app=simulator)
    )
    with pytest.raises(UpstreamError) as info:
        SunoHub(client).lyrics("x")
    assert info.value.status == 401
    assert info.value.permanent


def test_garbage_is_malformed(provider, simulator):
    simulator.faults.malformed = True
    with pytest.raises(UpstreamError) as info:
        provider.fetch(["a", "b"])
    assert info.value.code == "malformed"


def test_seed_answer_parses_into_two_succeeded_clips():
    body = {
        "success": True,
        "task_id": "4226ba3a",
        "data": [
            {
                "id": "7b0df74e",
                "title": "新年快乐",
                "state": "succeeded",
                "duration": 134.8,
                "audio_url": "https://cdn1.suno.ai/7b0df74e.mp3",
                "model": "chirp-v4",
                "style": "male vocals, chinese",
                "lyric": "[Verse]\n挂灯笼",
            },
            {
                "id": "b423fb9a",
                "title": "新年快乐",
                "state": "succeeded",
                "duration": 148.96,
                "audio_url": "https://cdn1.suno.ai/b423fb9a.mp3",
            },
        ],
    }
    result = parse_audios_answer("4226ba3a", body)
    assert result.state == JobState.SUCCEEDED
    assert [c.duration for c in result.clips] == [134.8, 148.96]
    assert result.clips[0].title == "新年快乐"


def test_callback_bodies_without_state_are_finished_clips():
    # Seed 003's callback example has no `state` on its clips.
    body = {
        "success": True,
        "task_id": "44472ab8",
        "data": [{"id": "da4324e5", "audio_url": "https://cdn1.suno.ai/da4324e5.mp3"}],
    }
    assert parse_audios_answer("44472ab8", body).state == JobState.SUCCEEDED


def test_a_failed_job_keeps_the_upstream_message():
    body = {
        "success": True,
        "task_id": "t",
        "data": [
            {"id": "a", "state": "error", "error_message": "Lyrics refused"},
            {"id": "b", "state": "error"},
        ],
    }
    result = parse_audios_answer("t", body)
    assert result.state == JobState.FAILED
    assert result.error == ("The provider could not make this song. Details: “Lyrics refused”.")


def test_a_clip_without_an_id_is_malformed():
    with pytest.raises(UpstreamError) as info:
        parse_audios_answer("t", {"success": True, "data": [{"title": "no id"}]})
    assert info.value.code == "malformed"


def test_lyrics_and_style(provider):
    lyrics = provider.lyrics("新年快乐")
    assert "[Verse]" in lyrics.text and "[Chorus]" in lyrics.text
    assert lyrics.title
    assert "guzheng" in provider.style("新年 pop")


def test_lyrics_accepts_the_candidate_list_shape():
    def handler(request):
        return httpx.Response(
            200,
            json={
                "success": True,
                "data": [
                    {
                        "text": "[Verse]\nOne",
                        "title": "T",
                        "status": "complete",
                        "tags": ["dreamy, mellow"],
                    }
                ],
            },
        )

    client = upstream.make_client("http://x", "k", transport=httpx.MockTransport(handler))
    lyrics = SunoHub(client).lyrics("idea")
    assert (lyrics.text, lyrics.title, lyrics.tags) == ("[Verse]\nOne", "T", "dreamy, mellow")


def test_parse_callback(provider):
    assert provider.parse_callback({"task_id": "abc", "data": []}) == "abc"
    with pytest.raises(UpstreamError):
        provider.parse_callback({"nothing": True})


class StatusRecorder:
    """The simulator's WSGI app, noting the ids of each status request it is sent."""

    def __init__(self, app):
        self.app = app
        self.batches = []

    def __getattr__(self, name):
        return getattr(self.app, name)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/suno/tasks":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = json.loads(raw or b"{}")
            if body.get("action") in ("retrieve", "retrieve_batch") and not body.get(
                "created_at_min"
            ):
                self.batches.append(body.get("ids") or [body.get("id")])
            environ["wsgi.input"] = io.BytesIO(raw)
        return self.app(environ, start_response)


@pytest.fixture
def recorder(simulator, monkeypatch):
    recording = StatusRecorder(simulator)
    monkeypatch.setattr(upstream, "get_simulator", lambda: recording)
    return recording


def test_the_operators_batch_limit_splits_status_requests(settings, recorder):
    settings.SUNO_FETCH_BATCH_LIMIT = 2
    provider = upstream.get_provider()
    ids = [provider.submit(SongRequest(prompt=f"song {i}")).upstream_id for i in range(5)]
    results = provider.fetch(ids)
    assert set(results) == set(ids)
    assert [len(batch) for batch in recorder.batches] == [2, 2, 1]
    assert [i for batch in recorder.batches for i in batch] == ids


def test_without_a_limit_one_request_asks_for_all(settings, recorder):
    settings.SUNO_FETCH_BATCH_LIMIT = 0
    provider = upstream.get_provider()
    ids = [provider.submit(SongRequest(prompt=f"song {i}")).upstream_id for i in range(5)]
    provider.fetch(ids)
    assert recorder.batches == [ids]


def test_an_accounts_batch_limit_holds_for_a_poll_pass(team, member, recorder):
    from django.utils import timezone

    from music.models import ProviderAccount, Task, TaskState
    from music.services import tasks

    account = ProviderAccount.objects.create(
        team=team, name="capped", format="simulator", fetch_batch_limit=3, is_default=True
    )
    for i in range(7):
        task = tasks.start_task(
            team=team,
            user=member,
            action="generate",
            params={"action": "generate", "prompt": f"song {i}", "model": "chirp-v4"},
        )
        tasks.submit(task.pk)
    assert set(Task.objects.values_list("account", flat=True)) == {account.pk}
    Task.objects.update(next_poll_at=timezone.now())
    tasks.poll_due()
    assert sorted(len(batch) for batch in recorder.batches) == [1, 3, 3]
    assert Task.objects.filter(state=TaskState.SUCCEEDED).count() == 7
