import json

import pytest
from django.urls import reverse

from music.models import Task, TaskState
from music.services import tasks


@pytest.fixture
def sent(team, member, run_on_commit, monkeypatch):
    """A submitted task and the secret token its callback URL carries."""
    tokens = []
    real = tasks.hash_token

    def capture(token):
        tokens.append(token)
        return real(token)

    monkeypatch.setattr(tasks.sending, "hash_token", capture)
    task = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params={"action": "generate", "prompt": "hook", "model": "chirp-v4"},
    )
    monkeypatch.setattr(tasks.sending, "hash_token", real)
    return Task.objects.get(pk=task.pk), tokens[0]


def url(task, token):
    return reverse("music:callback", args=[task.pk, token])


def test_callback_triggers_a_fetch_and_completes_the_task(client, sent, simulator):
    task, token = sent
    body = simulator.callback_body(task.upstream_id)
    response = client.post(url(task, token), body, content_type="application/json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.count() == 2
    # The callback's own URLs are not trusted: the task was fetched from upstream.
    assert ("POST", "/suno/tasks") in simulator.requests


def test_a_duplicated_callback_changes_nothing(client, sent, simulator):
    task, token = sent
    body = simulator.callback_body(task.upstream_id)
    client.post(url(task, token), body, content_type="application/json")
    task.refresh_from_db()
    before = (task.state, task.finished_at, sorted(task.songs.values_list("pk", flat=True)))
    posts = simulator.requests.count(("POST", "/suno/audios"))

    response = client.post(url(task, token), body, content_type="application/json")

    task.refresh_from_db()
    assert response.status_code == 200
    assert (task.state, task.finished_at, sorted(task.songs.values_list("pk", flat=True))) == before
    assert simulator.requests.count(("POST", "/suno/audios")) == posts == 1


def test_a_wrong_token_is_refused(client, sent, simulator):
    task, _token = sent
    response = client.post(
        url(task, "forged"),
        simulator.callback_body(task.upstream_id),
        content_type="application/json",
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED


def test_garbage_callbacks_get_400_not_500(client, sent):
    task, token = sent
    response = client.post(url(task, token), "not json", content_type="application/json")
    assert response.status_code == 400


def test_the_token_is_stored_hashed(sent):
    task, token = sent
    assert token not in task.callback_token_hash
    assert token not in str(task.request_payload)


def test_a_callback_naming_another_job_changes_nothing(client, sent, simulator):
    """The right secret with someone else's job: neither adopted nor a reason to fetch."""
    from music import upstream
    from music.upstream.base import SongRequest

    task, token = sent
    other_job = upstream.get_provider().submit(SongRequest(prompt="another job")).upstream_id
    simulator.requests.clear()

    response = client.post(
        url(task, token), simulator.callback_body(other_job), content_type="application/json"
    )

    assert response.status_code == 200  # a hint we ignore, not an error to retry
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.upstream_id == task.upstream_id != other_job
    assert fresh.state == TaskState.SUBMITTED
    assert fresh.callback_at is None
    assert fresh.songs.count() == 0
    assert simulator.requests == []  # nothing fetched on its word


def test_a_provider_posts_without_a_csrf_token_and_gets_a_json_receipt(sent, simulator):
    """A provider has no CSRF token: the hook must take its POST anyway (the per-task secret
    authenticates it) and answer what providers expect, JSON saying it was taken."""
    from django.test import Client

    task, token = sent
    provider = Client(enforce_csrf_checks=True)
    body = simulator.callback_body(task.upstream_id)

    response = provider.post(url(task, token), body, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert Task.objects.get(pk=task.pk).state == TaskState.SUCCEEDED


def test_only_a_post_reaches_the_hook(client, sent):
    task, token = sent
    assert client.get(url(task, token)).status_code == 405
    assert Task.objects.get(pk=task.pk).callback_at is None


def test_a_callback_for_an_unknown_task_is_not_found(client, sent, simulator):
    task, token = sent
    response = client.post(
        url(Task(pk="00000000-0000-4000-8000-000000000000"), token),
        simulator.callback_body(task.upstream_id),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).state == TaskState.SUBMITTED  # its token opens no other


def test_a_callback_naming_no_job_is_still_a_hint_to_look(client, sent, simulator):
    """Some sellers post a bare "something changed": the studio asks for the job it knows."""
    task, token = sent
    response = client.post(url(task, token), {}, content_type="application/json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert ("POST", "/suno/tasks") in simulator.requests


def test_a_callback_naming_no_job_for_an_unconfirmed_task_adopts_nothing(
    client, team, member, run_on_commit, simulator, monkeypatch
):
    tokens = []
    real = tasks.sending.hash_token
    monkeypatch.setattr(tasks.sending, "hash_token", lambda t: tokens.append(t) or real(t))
    simulator.faults.after_errors.append((502, "bad_gateway", "Bad gateway."))
    task = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params={"action": "generate", "prompt": "hook", "model": "chirp-v4"},
    )
    asked = len(simulator.requests)
    response = client.post(url(task, tokens[0]), {}, content_type="application/json")
    assert response.status_code == 200  # taken: nothing for the provider to retry
    task.refresh_from_db()
    assert (task.state, task.upstream_id, task.callback_at) == (TaskState.UNCONFIRMED, "", None)
    assert len(simulator.requests) == asked  # no job named: nothing to look up yet


@pytest.mark.parametrize("other", ["0-{}", "{}x"], ids=["sorting-before", "sorting-after"])
def test_a_callback_naming_any_other_job_changes_nothing(client, sent, simulator, other):
    """Job ids are compared for equality, whatever order they sort in."""
    task, token = sent
    named = other.format(task.upstream_id)
    body = json.loads(
        json.dumps(simulator.callback_body(task.upstream_id)).replace(task.upstream_id, named)
    )
    assert body["task_id"] == named
    simulator.requests.clear()

    response = client.post(url(task, token), body, content_type="application/json")

    assert response.status_code == 200
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.state, fresh.upstream_id, fresh.callback_at) == (
        TaskState.SUBMITTED,
        task.upstream_id,
        None,
    )
    assert simulator.requests == []
