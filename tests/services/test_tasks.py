"""The task lifecycle through the real client and the simulator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from music.models import Song, SongState, Task, TaskState
from music.services import tasks
from music.services.tasks import timing
from music.upstream.base import ClipState, JobResult, JobState
from music.upstream.simulator.audio import mp3_duration
from tests.factories import TaskFactory

GENERATE = {"action": "generate", "prompt": "a warm Chinese New Year pop song", "model": "chirp-v4"}


def audio_posts(simulator):
    return [r for r in simulator.requests if r == ("POST", "/suno/audios")]


@pytest.fixture
def started(team, member, run_on_commit):
    return run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )


def test_a_request_is_sent_once_and_followed_to_two_archived_songs(started, simulator):
    task = Task.objects.get(pk=started.pk)
    assert task.state == TaskState.SUBMITTED
    assert task.upstream_id
    assert task.request_payload["prompt"] == GENERATE["prompt"]
    assert task.request_payload["callback_url"].endswith("/<secret>/")
    assert len(audio_posts(simulator)) == 1

    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    assert tasks.poll_due() == 1

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.progress == 100
    songs = list(task.songs.order_by("created_at"))
    assert len(songs) == 2
    for song in songs:
        assert song.state == SongState.SUCCEEDED
        assert song.author == task.created_by
        # Real, playable MP3 whose length is the duration the provider reported.
        assert abs(mp3_duration(song.audio_file.read()) - song.duration) < 0.15
        assert song.image_file.read(8) == b"\x89PNG\r\n\x1a\n"
        assert 6 <= song.duration <= 12.5
    songs[0].audio_file.seek(0)
    songs[1].audio_file.seek(0)
    assert songs[0].audio_file.read() != songs[1].audio_file.read()


def test_redelivered_submit_message_never_posts_twice(started, simulator):
    tasks.submit(started.pk)
    tasks.submit(started.pk)
    assert len(audio_posts(simulator)) == 1


def test_a_worker_crash_mid_send_is_looked_for_not_resent(team, member, simulator):
    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTING,
        params=GENERATE,
        submitted_at=timezone.now() - timedelta(minutes=10),
    )

    counts = tasks.sweep()

    task.refresh_from_db()
    assert counts["unconfirmed"] == 1
    assert task.state == TaskState.UNCONFIRMED
    assert "not sent again" in task.error_message
    assert audio_posts(simulator) == []


def test_sweep_resends_a_queue_message_that_never_arrived(team, member, simulator):
    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params=GENERATE,
        created_at=timezone.now() - timedelta(minutes=5),
        deadline_at=timezone.now() + timedelta(minutes=10),
    )

    counts = tasks.sweep()

    task.refresh_from_db()
    assert counts["resent"] == 1
    assert task.state == TaskState.SUBMITTED
    assert len(audio_posts(simulator)) == 1


@pytest.mark.parametrize(
    ("status", "code", "message", "state", "hint"),
    [
        (400, "bad_request", "`prompt` is required.", TaskState.FAILED, "Nothing was charged"),
        (403, "forbidden", "Prompt likely copyrighted.", TaskState.FAILED, "Nothing was charged"),
        # A 5xx may hide a job the provider took: not a failure, and never sent again.
        (500, "api_error", "Internal error.", TaskState.UNCONFIRMED, "not sent again"),
        (504, "timeout", "Gateway timed out.", TaskState.UNCONFIRMED, "not sent again"),
    ],
)
def test_upstream_errors_keep_the_reason(
    team, member, run_on_commit, simulator, status, code, message, state, hint
):
    simulator.faults.next_errors.append((status, code, message))
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == state
    assert message in task.error_message
    assert hint in task.error_message
    assert task.error_code == code
    assert len(audio_posts(simulator)) == 1


def test_too_many_requests_is_retried_because_nothing_was_taken(
    team, member, run_on_commit, simulator
):
    simulator.faults.next_errors.extend([(429, "too_many_requests", "Slow down.")] * 2)
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    assert len(audio_posts(simulator)) == 3


def test_persistent_rate_limit_fails_with_a_retry_hint(team, member, run_on_commit, simulator):
    simulator.faults.next_errors.extend([(429, "too_many_requests", "Slow down.")] * 5)
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert "Slow down." in task.error_message
    assert "Nothing was charged" in task.error_message


def test_a_malformed_answer_is_unconfirmed_with_the_reason(team, member, run_on_commit, simulator):
    simulator.faults.malformed = True
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED
    assert "not valid JSON" in task.error_message


def test_a_time_out_is_never_resent(team, member, run_on_commit, live_simulator, settings):
    simulator = live_simulator
    settings.SUNO_TIMEOUT = 0.3
    simulator.faults.delay = 1.0
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED
    assert "did not answer in time" in task.error_message
    assert len(audio_posts(simulator)) == 1


def test_jobs_that_fail_upstream_keep_the_upstream_message(started, simulator):
    simulator.faults.fail_jobs = "Audio generation failed: content policy"
    failing = tasks.start_task  # a second job made while the fault is on
    task2 = failing(team=started.team, user=started.created_by, action="generate", params=GENERATE)
    tasks.submit(task2.pk)
    Task.objects.update(next_poll_at=timezone.now())
    tasks.poll_due()
    task2.refresh_from_db()
    assert task2.state == TaskState.FAILED
    assert task2.error_message == (
        "The provider could not make this song. Details: “Audio generation failed: content policy”."
    )
    assert set(task2.songs.values_list("state", flat=True)) == {SongState.FAILED}


def test_poll_tick_batches_all_tasks_in_one_request(team, member, run_on_commit, simulator):
    for _ in range(5):
        run_on_commit(tasks.start_task, team=team, user=member, action="generate", params=GENERATE)
    simulator.requests.clear()
    Task.objects.update(next_poll_at=timezone.now())

    tasks.poll_due()

    assert [r for r in simulator.requests if r[0] == "POST"] == [("POST", "/suno/tasks")]
    assert Task.objects.filter(state=TaskState.SUCCEEDED).count() == 5


def test_results_are_applied_idempotently_and_states_never_go_back(started):
    Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    task = Task.objects.get(pk=started.pk)
    song = task.songs.first()
    stale = JobResult(task.upstream_id, JobState.RUNNING, clips=[])
    tasks.apply_result(task.pk, stale)
    tasks.apply_result(task.pk, stale)

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert Song.objects.filter(task=task).count() == 2
    assert Song.objects.get(pk=song.pk).state == SongState.SUCCEEDED


def test_song_states_only_move_forward(started):
    Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    task = Task.objects.get(pk=started.pk)
    song = task.songs.first()
    Task.objects.filter(pk=task.pk).update(state=TaskState.RUNNING)  # pretend it's still going
    from music.upstream.base import Clip

    tasks.apply_result(
        task.pk,
        JobResult(
            task.upstream_id,
            JobState.RUNNING,
            clips=[Clip(id=song.upstream_id, state=ClipState.RUNNING)],
        ),
    )
    song.refresh_from_db()
    assert song.state == SongState.SUCCEEDED


def test_tasks_past_their_deadline_fail_with_the_reason(started, simulator, settings):
    simulator.running_seconds = 3600  # still being made at the last look
    Task.objects.filter(pk=started.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=1), next_poll_at=timezone.now()
    )
    tasks.poll_due()
    task = Task.objects.get(pk=started.pk)
    assert task.state == TaskState.FAILED
    assert f"{int(settings.SUNO_TASK_DEADLINE_MINUTES)} minutes" in task.error_message


def test_the_whole_flow_over_the_network_against_a_standalone_simulator(
    team, member, run_on_commit, live_simulator
):
    """The studio pointed at a provider by URL, like a real one (run_simulator --port N)."""
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert live_simulator.requests[0] == ("POST", "/suno/audios")
    for song in task.songs.all():
        assert song.audio_url.startswith(live_simulator.base_url)
        assert song.audio_file.size > 10_000


def test_sweep_ends_a_queued_task_past_its_deadline_without_sending_it(team, member, simulator):
    """A request the studio never managed to send is ended, not charged, and never sent late."""
    overdue = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params=GENERATE,
        created_at=timezone.now() - timedelta(minutes=30),  # its queue message is long lost
        deadline_at=timezone.now() - timedelta(seconds=1),
    )
    in_time = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params=GENERATE,
        created_at=timezone.now(),
        deadline_at=timezone.now() + timedelta(minutes=10),
    )

    counts = tasks.sweep()

    overdue.refresh_from_db()
    assert counts["expired"] == 1
    assert overdue.state == TaskState.FAILED
    assert overdue.error_code == "not_sent"
    assert "could not send this request" in overdue.error_message
    assert overdue.events.filter(state=TaskState.FAILED).exists()
    assert audio_posts(simulator) == []  # the overdue one was not sent after all
    in_time.refresh_from_db()
    assert in_time.state == TaskState.QUEUED  # before its deadline: left alone


def test_a_failing_poll_schedules_the_next_look_on_the_back_off_curve(started, simulator, settings):
    """The next look after a failed check is the back-off's, not the claim's lease."""
    settings.SUNO_POLL_MAX_SECONDS = 600  # room for the curve to grow
    looks = []
    for attempt in (1, 2, 3):
        simulator.faults.next_errors.append((500, "api_error", "Database is down"))
        Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now())
        before = timezone.now()
        assert tasks.poll_due() == 1
        after = timezone.now()
        task = Task.objects.get(pk=started.pk)
        assert task.state == TaskState.SUBMITTED
        assert task.polls == attempt
        assert "Database is down" in task.error_message
        wait = tasks.poll_interval(attempt)
        assert before + wait <= task.next_poll_at <= after + wait
        looks.append(wait)
    assert looks[0] < looks[1] < looks[2] < timing.POLL_LEASE


def test_a_callback_for_a_finished_task_asks_the_provider_nothing(started, simulator):
    Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    assert Task.objects.get(pk=started.pk).state == TaskState.SUCCEEDED
    asked = simulator.requests.count(("POST", "/suno/tasks"))
    tasks.refresh(started.pk)  # a replayed callback's refresh
    assert simulator.requests.count(("POST", "/suno/tasks")) == asked


def test_a_callbacks_refresh_the_provider_fails_leaves_the_task_to_polling(started, simulator):
    simulator.faults.next_errors.append((500, "api_error", "Database is down"))
    tasks.refresh(started.pk)  # the callback's fetch fails: no crash, nothing changed
    assert Task.objects.get(pk=started.pk).state == TaskState.SUBMITTED
    Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    assert Task.objects.get(pk=started.pk).state == TaskState.SUCCEEDED


def test_the_next_look_is_never_later_than_the_deadline(started, simulator):
    """A back-off that would look after the deadline looks at the deadline instead: the
    last look, which decides whether the task is late, happens on time."""
    simulator.faults.next_errors.append((500, "api_error", "Database is down"))
    deadline = timezone.now() + timedelta(milliseconds=900)  # sooner than the first back-off
    Task.objects.filter(pk=started.pk).update(next_poll_at=timezone.now(), deadline_at=deadline)
    assert tasks.poll_interval(1) > timedelta(seconds=1)
    assert tasks.poll_due() == 1
    task = Task.objects.get(pk=started.pk)
    assert task.state == TaskState.SUBMITTED
    assert task.next_poll_at == deadline
