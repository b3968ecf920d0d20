"""The scheduled fallback tick (sweep + one poll pass) and the poller that runs passes as soon
as work falls due."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_q.models import Schedule

from music import tasks as queue
from music.models import Task, TaskState
from music.services import tasks
from music.services.tasks.poller import MIN_PAUSE, Poller
from tests.factories import TaskFactory

GENERATE = {"action": "generate", "prompt": "x", "model": "chirp-v4"}


def test_the_tick_is_scheduled_every_minute(db):
    schedule = Schedule.objects.get(name="studio-tick")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "music.tasks.tick",
        Schedule.MINUTES,
        1,
    )


def test_a_tick_sweeps_then_polls_what_is_due_once(team, member, simulator):
    lost = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params={**GENERATE, "prompt": "lost"},
        created_at=timezone.now() - timedelta(minutes=5),
        deadline_at=timezone.now() + timedelta(minutes=10),
    )
    sent = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(sent.pk)
    Task.objects.filter(pk=sent.pk).update(next_poll_at=timezone.now())

    polled = queue.tick()

    assert polled == 1  # the one due; the re-sent one is looked at when it falls due
    assert Task.objects.get(pk=sent.pk).state == TaskState.SUCCEEDED
    assert Task.objects.get(pk=lost.pk).state == TaskState.SUBMITTED
    Task.objects.update(next_poll_at=timezone.now())
    assert queue.tick() == 1
    assert Task.objects.get(pk=lost.pk).songs.count() == 2


def test_a_tick_with_nothing_to_do_returns_at_once(db, simulator):
    assert queue.tick() == 0
    assert simulator.requests == []


def watched_task(team, member, job, due_in):
    """A submitted task the poller watches, due `due_in` from now."""
    return TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTED,
        upstream_id=job,
        params=GENERATE,
        next_poll_at=timezone.now() + due_in,
    )


class Sleeps:
    """The poller's sleep: counts the pauses, runs `then` on the first, and stops a poller
    that never wakes (instead of hanging the test)."""

    def __init__(self, then=None, limit=5):
        self.pauses, self.then, self.limit = [], then, limit

    def __call__(self, seconds):
        self.pauses.append(seconds)
        assert len(self.pauses) <= self.limit, "the poller was not woken"
        if self.then and len(self.pauses) == 1:
            self.then()


def test_the_pollers_wait_is_woken_by_a_new_due_task(team, member, simulator):
    sleeps = Sleeps(then=lambda: watched_task(team, member, "job-1", timedelta(0)))
    poller = Poller(check=1.0, sleep=sleeps)

    assert poller.seconds_until_due() is None  # nothing watched: it looks again each second
    assert poller.wait(lambda: False) is True

    assert sleeps.pauses == [1.0]  # woken at the first look after the submit


def test_the_poller_sleeps_until_the_earliest_due_task_and_no_longer(team, member, simulator):
    watched_task(team, member, "job-2", timedelta(seconds=30))
    sleeps = Sleeps(limit=3)
    poller = Poller(check=1.0, sleep=sleeps)
    stop_after = iter([False, False, True])

    assert poller.wait(lambda: next(stop_after)) is False

    assert sleeps.pauses == [1.0, 1.0]  # never more than a second between looks


def test_the_poller_does_not_wake_before_the_earliest_task_is_due(team, member, simulator):
    """A sleep that moves the clock (here: brings the due time nearer by what it slept). Due
    in 1.5 s with a look each second: one full second, then the half left, then it wakes."""
    task = watched_task(team, member, "job-3", timedelta(seconds=1.5))

    def move_the_clock(seconds):
        due = Task.objects.get(pk=task.pk).next_poll_at - timedelta(seconds=seconds)
        Task.objects.filter(pk=task.pk).update(next_poll_at=due)

    sleeps = Sleeps(limit=3)
    poller = Poller(check=1.0, sleep=lambda s: (sleeps(s), move_the_clock(s)))

    assert poller.wait(lambda: False) is True

    assert len(sleeps.pauses) == 2
    assert sleeps.pauses[0] == 1.0
    assert sum(sleeps.pauses) == pytest.approx(1.5, abs=0.1)


def test_a_poller_cycle_polls_a_submitted_task_to_its_archived_songs(team, member, simulator):
    sent = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(sent.pk)
    Task.objects.filter(pk=sent.pk).update(next_poll_at=timezone.now())

    assert Poller(sleep=Sleeps()).cycle() == 1

    task = Task.objects.get(pk=sent.pk)
    assert task.state == TaskState.SUCCEEDED
    assert [bool(s.audio_file) for s in task.songs.all()] == [True, True]


class ScriptedPoller(Poller):
    """A poller whose cycles return (or raise) what the test says, in turn."""

    def __init__(self, outcomes, sleep):
        super().__init__(check=1.0, sleep=sleep)
        self.outcomes = list(outcomes)

    def seconds_until_due(self):
        return 0  # work always due: each pause is the one `run` asks for

    def cycle(self):
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def stop_when_empty(poller):
    return lambda: not poller.outcomes


def test_a_failed_cycle_is_logged_and_the_poller_goes_on(db, caplog):
    """The database restarting must not end the poller: it logs and looks again later."""
    sleeps = Sleeps(limit=10)
    poller = ScriptedPoller([OperationalError("server closed the connection"), 0], sleeps)
    poller.run(stop_when_empty(poller))
    assert poller.outcomes == []  # the cycle after the failure ran
    assert sleeps.pauses == [1.0]  # after a failure, the check interval
    assert "poll cycle failed" in caplog.text


def test_after_a_cycle_that_did_work_the_poller_looks_again_sooner(db):
    """Work done: another cycle after a short pause; nothing done: after the check interval
    (work still due then is another poller's, under its lease)."""
    busy, idle = Sleeps(limit=10), Sleeps(limit=10)
    for sleeps, outcome in ((busy, 3), (idle, 0)):
        poller = ScriptedPoller([outcome, 0], sleeps)
        poller.run(stop_when_empty(poller))
    assert busy.pauses[0] == MIN_PAUSE
    assert idle.pauses[0] == 1.0
