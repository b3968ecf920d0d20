"""The scheduled tick: sweep, then poll until nothing is in flight."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from music import tasks as queue
from music.models import Task, TaskState
from music.services import tasks
from tests.factories import TaskFactory


def test_the_tick_is_scheduled_every_minute(db):
    schedule = Schedule.objects.get(name="studio-tick")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "music.tasks.tick",
        Schedule.MINUTES,
        1,
    )


def test_a_tick_sweeps_and_polls_everything_in_flight(team, member, simulator):
    lost = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params={"action": "generate", "prompt": "lost", "model": "chirp-v4"},
        created_at=timezone.now() - timedelta(minutes=5),
        deadline_at=timezone.now() + timedelta(minutes=10),
    )
    sent = tasks.start_task(
        team=team,
        user=member,
        action="generate",
        params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
    )
    tasks.submit(sent.pk)
    Task.objects.update(next_poll_at=timezone.now())

    polled = queue.tick(seconds=5, pause=0)

    assert polled >= 1
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.SUCCEEDED}
    assert Task.objects.get(pk=lost.pk).songs.count() == 2


def test_a_tick_with_nothing_to_do_returns_at_once(db, simulator):
    assert queue.tick(seconds=5, pause=0) == 0
    assert simulator.requests == []
