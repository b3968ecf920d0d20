"""One poll pass per provider account at a time, across threads (and so processes)."""

import threading
from wsgiref.simple_server import make_server

import pytest
from django.db import connection
from django.utils import timezone

from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.models import PollLease, ProviderAccount, Task, TaskState
from music.services import tasks
from music.services.tasks import leases
from music.upstream.simulator.app import Simulator
from tests.factories import MembershipFactory, TaskFactory, TeamFactory

GENERATE = {"action": "generate", "prompt": "lease", "model": "chirp-v4"}


class Gate:
    """Holds status requests at the door until released (the simulator behind it is real)."""

    def __init__(self, app):
        self.app = app
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/suno/tasks":
            self.entered.set()
            assert self.release.wait(30), "never released"
        return self.app(environ, start_response)


@pytest.fixture
def gated_provider(tmp_path, settings):
    sim = Simulator(
        tmp_path / "gated",
        queued_seconds=0,
        running_seconds=0,
        max_duration=8,
        send_callbacks=False,
    )
    gate = Gate(sim)
    server = make_server(
        "127.0.0.1", 0, gate, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    sim.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SUNO_BASE_URL = sim.base_url
    settings.SUNO_API_KEY = "lease-key"
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{server.server_port}"]
    yield sim, gate
    gate.release.set()
    server.shutdown()
    server.server_close()


def in_thread(fn):
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # reported by the test
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, out


@pytest.mark.django_db(transaction=True)
def test_a_second_pass_leaves_an_account_another_pass_is_polling(gated_provider):
    sim, gate = gated_provider
    team = TeamFactory()
    member = MembershipFactory(team=team).user
    first = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(first.pk)
    Task.objects.update(next_poll_at=timezone.now())

    thread, out = in_thread(tasks.poll_due)
    assert gate.entered.wait(30)  # the first pass holds the account and waits on the provider
    assert PollLease.objects.get(key=leases.BUILTIN).until > timezone.now()
    # Meanwhile a second task of the same account falls due.
    second = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTED,
        upstream_id="job-of-the-second",
        params=GENERATE,
        next_poll_at=timezone.now(),
    )

    assert tasks.poll_due() == 0  # another process's pass: left to it

    assert sim.requests.count(("POST", "/suno/tasks")) == 0  # nothing sent beside it
    gate.release.set()
    thread.join(30)
    assert out == {"value": 1}
    assert Task.objects.get(pk=first.pk).state == TaskState.SUCCEEDED
    assert PollLease.objects.get(key=leases.BUILTIN).until is None  # given back
    # Free again: the next pass takes the second task.
    assert tasks.poll_due() == 1
    assert Task.objects.get(pk=second.pk).polls == 1


@pytest.mark.django_db(transaction=True)
def test_a_lease_left_by_a_dead_poller_is_taken_over_when_it_runs_out():
    PollLease.objects.create(
        key="acc", holder="dead-host:1", until=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert leases.take("acc")
    assert PollLease.objects.get(key="acc").holder == leases.holder()

    thread, out = in_thread(lambda: leases.take("acc"))
    thread.join(30)
    assert out == {"value": False}  # held (by this thread), not free for another


@pytest.mark.django_db(transaction=True)
def test_a_callbacks_refresh_waits_for_the_pass_holding_the_account(gated_provider):
    """A callback arriving during a pass does not ask the provider beside it: its task is
    made due for the next pass, which brings the result in."""
    sim, gate = gated_provider
    team = TeamFactory()
    member = MembershipFactory(team=team).user
    first = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(first.pk)
    second = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(second.pk)
    later = timezone.now() + timezone.timedelta(minutes=5)
    Task.objects.filter(pk=first.pk).update(next_poll_at=timezone.now())
    Task.objects.filter(pk=second.pk).update(next_poll_at=later)

    thread, out = in_thread(tasks.poll_due)
    assert gate.entered.wait(30)  # the pass for the first task holds the account
    tasks.refresh(second.pk)  # the second task's callback arrives meanwhile

    assert sim.requests.count(("POST", "/suno/tasks")) == 0  # nothing sent beside the pass
    assert Task.objects.get(pk=second.pk).next_poll_at <= timezone.now()
    gate.release.set()
    thread.join(30)
    assert out == {"value": 1}
    assert tasks.poll_due() == 1  # the next pass takes the refreshed task
    assert Task.objects.get(pk=second.pk).state == TaskState.SUCCEEDED


@pytest.mark.parametrize("held", [0, 1])
def test_an_account_another_pass_holds_does_not_hold_up_the_others(
    team, member, run_on_commit, held
):
    """Each account in its turn: whichever order the pass meets them in, the one held by
    another poller is left to it and the next is still polled."""
    accounts = [
        ProviderAccount.objects.create(
            team=team, name=name, format="relay", base_url="http://simulator.local"
        )
        for name in ("first", "second")
    ]
    started = [
        run_on_commit(
            tasks.start_task,
            team=team,
            user=member,
            action="generate",
            params=GENERATE,
            account=account,
        )
        for account in accounts
    ]
    PollLease.objects.create(
        key=leases.key_of(accounts[held].pk),
        holder="another-host:1:busy",
        until=timezone.now() + timezone.timedelta(minutes=1),
    )
    Task.objects.update(next_poll_at=timezone.now())

    assert tasks.poll_due() == 1
    free = Task.objects.get(pk=started[1 - held].pk)
    assert (free.polls, free.state) == (1, TaskState.SUCCEEDED)
    assert Task.objects.get(pk=started[held].pk).polls == 0  # left to the other pass


def test_one_accounts_trouble_does_not_stop_the_pass_for_the_others(team, member, run_on_commit):
    """An account whose stored address no longer parses fails its own look, not the pass:
    every other account's tasks are still followed."""
    broken, working = (
        ProviderAccount.objects.create(
            team=team, name=name, format="relay", base_url="http://simulator.local"
        )
        for name in ("broken", "working")
    )
    started = {
        account.name: run_on_commit(
            tasks.start_task,
            team=team,
            user=member,
            action="generate",
            params=GENERATE,
            account=account,
        )
        for account in (broken, working)
    }
    ProviderAccount.objects.filter(pk=broken.pk).update(base_url="http://[::1")
    Task.objects.update(next_poll_at=timezone.now())

    assert tasks.poll_due() == 2  # both claimed; the broken one's look failed on its own
    assert Task.objects.get(pk=started["working"].pk).state == TaskState.SUCCEEDED
    broken_task = Task.objects.get(pk=started["broken"].pk)
    assert broken_task.state == TaskState.SUBMITTED
    # Its claim holds it back for a while: not asked about again at every pass.
    assert broken_task.next_poll_at > timezone.now()
