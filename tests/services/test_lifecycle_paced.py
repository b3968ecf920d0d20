"""The lifecycle in real time: a paced simulator over HTTP, its callbacks posted to a live
studio (the `paced` fixture). Waits are bounded loops on states; nothing asserts a duration."""

import pytest
from django.utils import timezone

from music.models import SongState, Task, TaskState
from music.services import tasks
from music.services.tasks import timing

GENERATE = {"action": "generate", "prompt": "a song made at its own pace", "model": "chirp-v4"}


@pytest.fixture
def start(team, member, run_on_commit):
    def start():
        return run_on_commit(
            tasks.start_task, team=team, user=member, action="generate", params=GENERATE
        )

    return start


def state_of(task):
    return Task.objects.values_list("state", flat=True).get(pk=task.pk)


def watch(task, seen):
    """A check that records each new state of the task, true once it is `succeeded`."""

    def check():
        state = state_of(task)
        if not seen or seen[-1] != state:
            seen.append(state)
        return state == TaskState.SUCCEEDED

    return check


def test_polling_sees_the_job_running_then_done(paced, start):
    paced.simulator.send_callbacks = False  # polling alone follows it
    task = start()
    assert state_of(task) == TaskState.SUBMITTED  # the provider took it, nothing made yet

    seen = []
    paced.wait_for(watch(task, seen), "the task done by polling", tick=tasks.poll_due)

    assert seen == [TaskState.SUBMITTED, TaskState.RUNNING, TaskState.SUCCEEDED]
    events = list(task.events.order_by("pk").values_list("state", flat=True))
    assert events.index(TaskState.RUNNING) < events.index(TaskState.SUCCEEDED)
    task.refresh_from_db()
    assert task.callback_at is None
    assert task.polls >= 2  # one look saw it running, a later one done
    songs = list(task.songs.all())
    assert len(songs) == 2
    assert {s.state for s in songs} == {SongState.SUCCEEDED}
    assert all(s.audio_file.size > 10_000 for s in songs)


def test_a_callback_posted_over_http_completes_the_task_without_a_poll_pass(paced, start):
    task = start()
    assert Task.objects.get(pk=task.pk).request_payload["callback_url"].startswith(paced.studio_url)
    checks_before = paced.status_requests()

    # Nobody runs a poll pass: only the provider's callback can move the task.
    paced.wait_for(
        lambda: state_of(task) == TaskState.SUCCEEDED, "the callback to complete the task"
    )

    task.refresh_from_db()
    assert task.callback_at is not None  # the hint came in through the callback view
    assert task.polls == 0
    assert paced.status_requests() == checks_before + 1  # the callback's one refresh
    songs = list(task.songs.all())
    assert len(songs) == 2
    assert {s.state for s in songs} == {SongState.SUCCEEDED}
    assert all(s.audio_file.size > 10_000 for s in songs)


def test_a_deadline_passing_while_running_fails_the_task_and_a_late_result_completes_it(
    paced, start, settings
):
    paced.simulator.send_callbacks = False
    paced.simulator.running_seconds = 3600  # still being made when the deadline passes
    settings.SUNO_TASK_DEADLINE_MINUTES = 0.05  # three seconds
    settings.SUNO_LATE_POLL_SECONDS = 0.25  # the late watch looks again soon
    task = start()

    seen = []

    def failed():
        watch(task, seen)()
        return seen[-1] == TaskState.FAILED

    paced.wait_for(failed, "the deadline to fail the task", tick=tasks.poll_due)

    assert seen == [TaskState.SUBMITTED, TaskState.RUNNING, TaskState.FAILED]
    task.refresh_from_db()
    assert task.error_code == "deadline"
    assert task.late_until > timezone.now()  # still watched
    assert {s.state for s in task.songs.all()} == {SongState.FAILED}

    paced.simulator.running_seconds = 0  # the provider finishes it after all
    paced.wait_for(watch(task, seen), "the late result to complete it", tick=tasks.poll_due)

    assert task.events.filter(state=TaskState.SUCCEEDED, code="late").exists()
    assert {s.state for s in task.songs.all()} == {SongState.SUCCEEDED}


def test_failed_checks_back_off_between_polls_until_the_provider_answers(paced, start, settings):
    paced.simulator.send_callbacks = False
    settings.SUNO_POLL_MAX_SECONDS = 10  # room for the back-off to grow
    task = start()
    paced.simulator.faults.next_errors.extend([(500, "api_error", "Database is down")] * 2)

    passes = []  # (when the pass started, the task's row after it)

    def tick():
        started = timezone.now()
        if tasks.poll_due():
            passes.append((started, Task.objects.get(pk=task.pk)))

    paced.wait_for(
        lambda: passes and passes[-1][1].state == TaskState.SUCCEEDED,
        "the task done once checks succeed",
        tick=tick,
    )

    assert len(passes) == 3  # two failed checks, then the answer
    failed = [row for _, row in passes[:2]]
    assert all("Database is down" in row.error_message for row in failed)
    assert all(row.state == TaskState.SUBMITTED for row in failed)  # kept, not failed
    gaps = [row.next_poll_at - when for when, row in passes[:2]]
    for n, gap in enumerate(gaps, 1):  # scheduled on the back-off curve, not the claim's lease
        assert timing.poll_interval(n) <= gap < timing.POLL_LEASE
    assert gaps[0] < gaps[1]  # backing off
    for (_, row), (next_start, _) in zip(passes, passes[1:], strict=False):
        # No look before the back-off's time (a pass takes what falls due within a second).
        assert next_start >= row.next_poll_at - timing.POLL_COALESCE
    assert paced.status_requests() == 3
