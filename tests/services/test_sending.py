"""Sending a task: an answer that already carries the finished songs is applied at once."""

import io
import json
import threading
from wsgiref.simple_server import make_server

import pytest
from django.urls import reverse
from django.utils import timezone

from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.models import Persona, ProviderAccount, SongState, Task, TaskState
from music.services import tasks
from music.services.tasks import timing
from music.upstream.base import SECRET_MARK
from tests.factories import TaskFactory
from tests.helpers import make_song

GENERATE = {"action": "generate", "prompt": "an eager seller's song", "model": "chirp-v4"}


def answering_at_once(simulator):
    """A SunoHub seller that ignores `callback_url` and answers when the songs are made.

    The simulator behind it does what SunoHub does without a callback URL: it answers
    `/suno/audios` with the finished clips, so the studio's submit gets its songs in the
    answer (seed 003's synchronous mode).
    """

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/suno/audios":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = json.loads(raw)
            body.pop("callback_url", None)
            raw = json.dumps(body).encode()
            environ["wsgi.input"] = io.BytesIO(raw)
            environ["CONTENT_LENGTH"] = str(len(raw))
        return simulator(environ, start_response)

    return app


@pytest.fixture
def eager_account(team, simulator, settings):
    server = make_server(
        "127.0.0.1",
        0,
        answering_at_once(simulator),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    host = f"127.0.0.1:{server.server_port}"
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [*settings.STUDIO_ALLOWED_PRIVATE_HOSTS, host]
    simulator.base_url = f"http://{host}"  # its clips' files are fetched through the seller
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    account = ProviderAccount(
        team=team,
        name="eager",
        format="sunohub",
        base_url=f"http://{host}",
        is_default=True,
    )
    account.set_api_key("eager-key")
    account.save()
    yield account
    server.shutdown()
    server.server_close()


def test_songs_in_the_submit_answer_are_applied_without_a_poll(
    team, member, eager_account, simulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    task.refresh_from_db()
    assert task.account == eager_account
    assert simulator.requests[:1] == [("POST", "/suno/audios")]
    assert ("POST", "/suno/tasks") not in simulator.requests  # nothing was polled
    assert task.state == TaskState.SUCCEEDED
    songs = list(task.songs.all())
    assert len(songs) == 2
    assert {s.state for s in songs} == {SongState.SUCCEEDED}
    assert all(s.audio_file for s in songs)


@pytest.mark.parametrize(
    ("wire", "use_callbacks", "field"),
    [
        ("relay", True, "notify_hook"),  # asked for: the relay format's hook
        ("relay", False, None),  # turned off: polling alone, no secret at all
        ("sunohub", False, "callback_url"),  # SunoHub answers at once only with one
    ],
)
def test_a_callback_url_is_sent_when_wanted_or_needed_and_its_secret_never_stored(
    team, member, run_on_commit, simulator, settings, monkeypatch, wire, use_callbacks, field
):
    tokens = []
    real = tasks.sending.hash_token
    monkeypatch.setattr(tasks.sending, "hash_token", lambda t: tokens.append(t) or real(t))
    ProviderAccount.objects.create(
        team=team,
        name=wire,
        format=wire,
        base_url="http://simulator.local",
        use_callbacks=use_callbacks,
        is_default=True,
    )
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    hooks = {k: v for k, v in task.request_payload.items() if k in ("callback_url", "notify_hook")}
    if field is None:
        assert hooks == {}
        assert task.callback_token_hash == ""  # no URL, so no secret that could open one
        return
    [token] = tokens
    assert list(hooks) == [field]
    assert token not in hooks[field]  # the task page shows the request, not the secret
    assert SECRET_MARK in hooks[field]
    sent = f"{settings.STUDIO_PUBLIC_URL}{reverse('music:callback', args=[task.pk, token])}"
    assert hooks[field].replace(SECRET_MARK, token) == sent
    assert task.callback_token_hash == real(token)


def story(task):
    return list(task.events.values_list("state", "code", "note"))


@pytest.mark.parametrize(("via", "code"), [("callback", "callback"), ("", "found")])
def test_a_job_found_after_a_deadline_failure_is_written_in_the_task_story(team, via, code):
    """Members and admins read how a failed task came back to life: found, and which job."""
    task = TaskFactory(team=team, state=TaskState.QUEUED, upstream_id="")
    tasks.fail(task.pk, "did not finish in time", "deadline", late=True)
    before = story(task)

    assert tasks.sending.confirm(task.pk, "job-late-1", via=via)
    task.refresh_from_db()
    assert (task.state, task.upstream_id) == (TaskState.FAILED, "job-late-1")
    assert story(task) == [*before, (TaskState.FAILED, code, "job-late-1")]

    # Found once: another job named later adopts nothing and adds nothing to the story.
    assert not tasks.sending.confirm(task.pk, "job-late-2", via=via)
    assert story(task) == [*before, (TaskState.FAILED, code, "job-late-1")]


def test_a_final_failure_adopts_no_job_and_tells_no_story(team):
    task = TaskFactory(team=team, state=TaskState.QUEUED, upstream_id="")
    tasks.fail(task.pk, "refused", "refused")  # not for want of an answer: never watched
    before = story(task)
    assert not tasks.sending.confirm(task.pk, "job-after-the-end")
    task.refresh_from_db()
    assert task.upstream_id == ""
    assert story(task) == before


def test_the_admin_counts_one_send_and_its_time_whatever_the_queue_redelivers(
    team, member, run_on_commit, simulator
):
    """Operators read `submit_attempts` and `submitted_at` to tell a double charge from a
    redelivered message: the claim counts the one real send, a redelivery counts nothing."""
    before = timezone.now()
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    sent = (task.submit_attempts, task.submitted_at)
    assert sent[0] == 1
    assert before <= sent[1] <= timezone.now()
    tasks.submit(task.pk)  # the queue delivers the same message again
    task.refresh_from_db()
    assert (task.submit_attempts, task.submitted_at) == sent
    assert [e for e in story(task) if e[0] == TaskState.SUBMITTING] == [
        (TaskState.SUBMITTING, "", "")
    ]


@pytest.mark.parametrize("unclear", [False, True])
def test_the_first_look_at_a_sent_job_waits_a_moment(
    team, member, run_on_commit, simulator, unclear
):
    """The provider needs a moment to register a job: a poll pass right after the send asks
    it nothing (each status request counts against the account's rate limit)."""
    if unclear:
        simulator.faults.after_errors.append((502, "bad_gateway", "Bad gateway."))
    before = timezone.now()
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    after = timezone.now()
    task.refresh_from_db()
    assert task.state == (TaskState.UNCONFIRMED if unclear else TaskState.SUBMITTED)
    assert before <= task.next_poll_at - timing.FIRST_POLL_AFTER <= after
    asked = len(simulator.requests)
    assert tasks.poll_due() == 0
    assert len(simulator.requests) == asked


def test_a_sellers_overlong_error_code_is_kept_to_its_column(
    team, member, run_on_commit, simulator
):
    """A seller's own error code can be any length; the task keeps the first 50 characters
    (the column's size: PostgreSQL refuses more, which would leave the task `submitting`)."""
    code = "seller_specific_gateway_failure_" + "x" * 40
    simulator.faults.after_errors.append((502, code, "Bad gateway."))
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED
    assert task.error_code == code[:50]
    assert story(task)[-1][:2] == (TaskState.UNCONFIRMED, code[:50])


def test_a_job_already_another_tasks_is_not_adopted(team):
    """Two tasks never share a job: its songs would land twice. The second claim is refused
    by the database and leaves that task as it was, still looked for."""
    owner = TaskFactory(team=team, state=TaskState.SUBMITTED, upstream_id="job-owned")
    other = TaskFactory(team=team, state=TaskState.UNCONFIRMED, upstream_id="")
    assert not tasks.sending.confirm(other.pk, "job-owned", via="callback")
    other.refresh_from_db()
    assert (other.state, other.upstream_id) == (TaskState.UNCONFIRMED, "")
    assert Task.objects.get(pk=owner.pk).upstream_id == "job-owned"
    assert story(other) == []


def test_the_task_keeps_the_providers_answer_to_the_send(team, member, run_on_commit):
    """The task page shows the provider's own answer: what it said when it took the job."""
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.upstream_id
    assert task.upstream_id in json.dumps(task.response)


def test_a_persona_is_made_from_the_song_with_the_name_and_description_asked(
    team, member, run_on_commit, simulator
):
    song = make_song(team, member, is_pro=True)
    params = {"action": "persona", "audio_id": song.upstream_id, "name": "Voice"}
    params["description"] = "warm and low"
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="persona", params=params, source_song=song
    )
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED, task.error_message
    persona = Persona.objects.get(task=task)
    assert (persona.name, persona.description, persona.source_song) == (
        "Voice",
        "warm and low",
        song,
    )
    assert simulator.requests.count(("POST", "/suno/persona")) == 1


def test_a_job_id_is_kept_to_its_column(team):
    """A seller's job id longer than the column is cut, not a failed update that would leave
    the task unconfirmed with its job (and its songs) never followed."""
    exact, overlong = "j" * 100, "k" * 120
    first = TaskFactory(team=team, state=TaskState.UNCONFIRMED, upstream_id="")
    second = TaskFactory(team=team, state=TaskState.UNCONFIRMED, upstream_id="")
    assert tasks.sending.confirm(first.pk, exact)
    assert tasks.sending.confirm(second.pk, overlong)
    assert Task.objects.get(pk=first.pk).upstream_id == exact
    assert Task.objects.get(pk=second.pk).upstream_id == overlong[:100]
