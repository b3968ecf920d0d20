"""Every paid song reaches the library: unclear answers, deadlines, late results, bad values.

Each test runs the real client against the simulator; the simulator's fault knobs play the
provider that took a job but whose answer never arrived, or arrived poisoned.
"""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from music import upstream
from music.models import Song, SongState, Task, TaskEvent, TaskState
from music.services import tasks
from music.services.tasks import sending
from music.upstream.base import JobState, SongRequest
from tests.factories import SongFactory, TaskFactory

GENERATE = {
    "action": "generate",
    "prompt": "a song the answer of which was lost",
    "model": "chirp-v4",
}


def jobs(simulator):
    return simulator.db.execute("SELECT id, request FROM jobs").fetchall()


def audio_posts(simulator):
    return [r for r in simulator.requests if r == ("POST", "/suno/audios")]


def look_now():
    Task.objects.exclude(state__in=["queued"]).update(next_poll_at=timezone.now())
    return tasks.poll_due()


@pytest.fixture
def capture_tokens(monkeypatch):
    tokens = []
    real = sending.hash_token

    def capture(token):
        tokens.append(token)
        return real(token)

    monkeypatch.setattr(sending, "hash_token", capture)
    return tokens


def start(team, member, run_on_commit, params=GENERATE, action="generate", **kwargs):
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action=action, params=params, **kwargs
    )
    return Task.objects.get(pk=task.pk)


# --- an unclear answer is not a failure --------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        {"after_errors": [(500, "api_error", "Internal error.")]},
        {"after_errors": [(502, "bad_gateway", "Bad gateway.")]},
    ],
)
def test_a_5xx_after_acceptance_is_unconfirmed_then_found_and_completed(
    team, member, run_on_commit, simulator, fault
):
    simulator.faults.after_errors.extend(fault["after_errors"])
    task = start(team, member, run_on_commit)

    assert task.state == TaskState.UNCONFIRMED
    assert task.upstream_id == ""
    assert "not sent again" in task.error_message
    assert len(jobs(simulator)) == 1  # the provider made the job: it is paid for

    look_now()  # the poll pass searches the provider's task listing for our callback URL

    task.refresh_from_db()
    assert task.upstream_id == jobs(simulator)[0]["id"]
    assert len(audio_posts(simulator)) == 1  # never sent again
    look_now()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.filter(state=SongState.SUCCEEDED).exclude(audio_file="").count() == 2
    assert list(task.events.values_list("state", flat=True)) == [
        TaskState.QUEUED,
        TaskState.SUBMITTING,
        TaskState.UNCONFIRMED,
        TaskState.SUBMITTED,
        TaskState.SUCCEEDED,
    ]


def test_garbage_after_acceptance_is_unconfirmed_not_failed(team, member, run_on_commit, simulator):
    simulator.faults.malformed = True
    task = start(team, member, run_on_commit)
    simulator.faults.malformed = False
    assert task.state == TaskState.UNCONFIRMED
    assert len(audio_posts(simulator)) == 1


def test_a_time_out_after_acceptance_is_found_later(
    team, member, run_on_commit, live_simulator, settings
):
    settings.SUNO_TIMEOUT = 0.3
    live_simulator.faults.after_delay = 1.0
    task = start(team, member, run_on_commit)
    live_simulator.faults.after_delay = 0
    settings.SUNO_TIMEOUT = 30  # rendering the finished songs takes longer than 0.3 s
    assert task.state == TaskState.UNCONFIRMED
    assert "did not answer in time" in task.error_message

    look_now()
    look_now()

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.count() == 2
    assert len(audio_posts(live_simulator)) == 1


def test_a_request_the_provider_never_got_fails_at_the_deadline_with_advice(
    team, member, run_on_commit, simulator
):
    simulator.faults.next_errors.append((503, "unavailable", "Try later."))  # before the job
    task = start(team, member, run_on_commit)
    assert task.state == TaskState.UNCONFIRMED

    look_now()
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED  # no trace yet; the deadline has not passed

    Task.objects.filter(pk=task.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    look_now()

    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert task.error_code == "no_trace"
    assert "Check with the provider before trying again" in task.error_message
    # Still watched for the grace period, as the message promises: a made song still lands.
    assert task.late_until is not None and task.is_watched_late
    assert len(audio_posts(simulator)) == 1


def test_a_callback_naming_the_job_adopts_an_unconfirmed_task(
    client, team, member, run_on_commit, simulator, capture_tokens
):
    simulator.faults.after_errors.append((504, "timeout", "Gateway timed out."))
    task = start(team, member, run_on_commit)
    assert task.state == TaskState.UNCONFIRMED
    job_id = jobs(simulator)[0]["id"]

    response = client.post(
        reverse("music:callback", args=[task.pk, capture_tokens[0]]),
        simulator.callback_body(job_id),
        content_type="application/json",
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.upstream_id == job_id
    assert task.state == TaskState.SUCCEEDED  # the refresh fetched it (sync queue in tests)
    assert task.songs.count() == 2


def test_a_worker_killed_mid_send_is_looked_for_never_resent(team, member, simulator, settings):
    """The worker died after the POST left: the row says `submitting`, the provider has it."""
    settings.SUNO_TIMEOUT = 5  # every attempt would have ended within ~40 s
    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTING,
        params=GENERATE,
        submitted_at=timezone.now() - timedelta(minutes=1),
        deadline_at=timezone.now() + timedelta(minutes=10),
    )
    provider = upstream.get_provider()
    url = sending.callback_url(task, "lost-token", provider)
    provider.submit(SongRequest.from_params(GENERATE), url)  # what left before the crash
    Task.objects.filter(pk=task.pk).update(
        request_payload=sending.redact({"callback_url": url}, "lost-token")
    )

    counts = tasks.sweep()
    task.refresh_from_db()
    assert counts["unconfirmed"] == 1
    assert task.state == TaskState.UNCONFIRMED

    look_now()
    look_now()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert len(audio_posts(simulator)) == 1


def test_a_send_that_is_still_running_is_not_touched_by_the_sweep(team, member, simulator):
    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTING,
        params=GENERATE,
        submitted_at=timezone.now() - timedelta(seconds=5),
    )
    tasks.sweep()
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTING


def test_a_queued_task_never_sent_by_its_deadline_fails_as_not_charged(team, member, simulator):
    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.QUEUED,
        params=GENERATE,
        created_at=timezone.now() - timedelta(hours=1),
        deadline_at=timezone.now() - timedelta(minutes=1),
    )
    tasks.sweep()
    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert "Nothing was charged" in task.error_message
    assert audio_posts(simulator) == []


def test_an_unclear_wav_export_is_found_in_the_listing(team, member, run_on_commit, simulator):
    from tests.helpers import make_song

    song = make_song(team, member, is_pro=True)
    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    task = start(
        team,
        member,
        run_on_commit,
        params={"action": "wav", "audio_id": song.upstream_id},
        action="wav",
        source_song=song,
    )
    assert task.state == TaskState.UNCONFIRMED

    look_now()

    task.refresh_from_db()
    song.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert song.wav_file.read(4) == b"RIFF"
    assert simulator.requests.count(("POST", "/suno/wav")) == 1


# --- the deadline takes a last look, and late results still land ------------------------
def test_a_job_finished_in_its_last_minute_is_fetched_before_the_deadline_fails_it(
    team, member, run_on_commit, simulator
):
    task = start(team, member, run_on_commit)
    Task.objects.filter(pk=task.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=1),
        next_poll_at=timezone.now() + timedelta(hours=1),  # the backed-off look is far away
    )
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())  # its claim is due
    tasks.poll_due()

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.count() == 2


def test_the_next_look_is_never_scheduled_past_the_deadline(team, member, run_on_commit):
    task = start(team, member, run_on_commit)
    deadline = timezone.now() + timedelta(seconds=20)
    Task.objects.filter(pk=task.pk).update(
        deadline_at=deadline, polls=30, next_poll_at=timezone.now(), state=TaskState.RUNNING
    )
    from music.services.tasks import polling

    assert (
        polling.next_look({"state": TaskState.RUNNING, "deadline_at": deadline}, timezone.now(), 30)
        <= deadline
    )


def test_a_result_after_a_deadline_failure_still_brings_the_songs_in(
    team, member, run_on_commit, simulator
):
    simulator.running_seconds = 3600  # the job is still being made at our deadline
    task = start(team, member, run_on_commit)
    Task.objects.filter(pk=task.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    look_now()
    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert task.error_code == "deadline"
    assert task.late_until > timezone.now() + timedelta(hours=23)
    assert "keeps checking" in task.error_message

    look_now()  # still running upstream: stays failed, still watched
    task.refresh_from_db()
    assert task.state == TaskState.FAILED

    simulator.running_seconds = 0  # the provider finishes it after all
    look_now()

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.late_until is None
    assert task.songs.filter(state=SongState.SUCCEEDED).count() == 2
    assert task.events.filter(state=TaskState.SUCCEEDED, code="late").exists()


def test_a_late_callback_completes_a_deadline_failure(
    client, team, member, run_on_commit, simulator, capture_tokens
):
    task = start(team, member, run_on_commit)
    tasks.fail(task.pk, "did not finish in time", "deadline", late=True)

    response = client.post(
        reverse("music:callback", args=[task.pk, capture_tokens[0]]),
        simulator.callback_body(task.upstream_id),
        content_type="application/json",
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.count() == 2


def test_after_the_grace_period_a_failure_is_final(
    client, team, member, run_on_commit, simulator, capture_tokens
):
    task = start(team, member, run_on_commit)
    tasks.fail(task.pk, "did not finish in time", "deadline", late=True)
    Task.objects.filter(pk=task.pk).update(
        late_until=timezone.now() - timedelta(seconds=1),
        finished_at=timezone.now() - timedelta(days=2),
        next_poll_at=timezone.now(),
    )

    assert tasks.poll_due() == 0
    response = client.post(
        reverse("music:callback", args=[task.pk, capture_tokens[0]]),
        simulator.callback_body(task.upstream_id),
        content_type="application/json",
    )
    assert response.status_code == 404  # the secret died with the grace period
    task.refresh_from_db()
    assert task.state == TaskState.FAILED


def test_a_provider_refusal_is_final_and_never_watched(team, member, run_on_commit, simulator):
    simulator.faults.next_errors.append((400, "bad_request", "`prompt` is required."))
    task = start(team, member, run_on_commit)
    assert task.state == TaskState.FAILED
    assert task.late_until is None


# --- one bad answer spoils nothing else --------------------------------------------------
def test_poisoned_values_are_cleaned_and_the_songs_still_land(
    team, member, run_on_commit, simulator
):
    task = start(team, member, run_on_commit)
    simulator.faults.poison = True
    look_now()

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    for song in task.songs.all():
        assert len(song.title) <= 200
        assert "\x00" not in song.title + song.lyric
        assert song.duration is None or song.duration == song.duration  # never NaN
        assert song.image_url == ""  # port 99999: refused
        assert song.video_url == ""  # javascript: refused
        assert song.audio_file
        json.dumps(song.raw, allow_nan=False)  # storable as JSON everywhere


def test_one_task_that_cannot_be_applied_does_not_stop_the_batch(
    team, member, run_on_commit, simulator, monkeypatch
):
    first = start(team, member, run_on_commit)
    second = start(team, member, run_on_commit, params={**GENERATE, "prompt": "second"})
    from music.services.tasks import applying

    real = applying.upsert_song

    def explode_for_first(task, clip, index, archived, **kwargs):
        if task.pk == first.pk:
            raise ValueError("a value the database refused")
        return real(task, clip, index, archived, **kwargs)

    monkeypatch.setattr(applying, "upsert_song", explode_for_first)
    look_now()

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.state == TaskState.SUCCEEDED
    assert first.state == TaskState.SUBMITTED  # kept, to be tried again
    assert "could not be stored" in first.error_message
    assert not Song.objects.filter(task=first).exists()  # its transaction rolled back


# --- once per song, however many members click -------------------------------------------
def test_the_database_refuses_a_second_active_task_for_the_same_song_action(team, member):
    song = SongFactory(team=team)
    TaskFactory(
        team=team, action="concat", state=TaskState.SUBMITTED, source_song=song, upstream_id="job-1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(team=team, action="concat", state=TaskState.QUEUED, source_song=song)
    # Finished ones do not count: the action can be asked for again.
    TaskFactory(team=team, action="concat", state=TaskState.FAILED, source_song=song)


def test_two_members_clicking_at_the_same_moment_pay_once(team, member, monkeypatch):
    """Both requests passed the "already on its way?" check before either inserted."""
    from music.services.tasks import starting

    song = SongFactory(team=team, is_fragment=True)
    first = tasks.start_task(
        team=team,
        user=member,
        action="concat",
        params={"audio_id": song.upstream_id},
        source_song=song,
    )
    calls = []
    real = starting.find_existing

    def racing(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(starting, "find_existing", racing)
    second = tasks.start_task(
        team=team,
        user=member,
        action="concat",
        params={"audio_id": song.upstream_id},
        source_song=song,
    )
    assert second.pk == first.pk
    assert Task.objects.filter(source_song=song, action="concat").count() == 1


# --- SunoHub without a callback is synchronous --------------------------------------------
def test_sunohub_submits_always_carry_a_callback_url_so_the_answer_is_immediate(
    team, member, run_on_commit, simulator, settings
):
    settings.STUDIO_CALLBACKS = False  # the provider cannot reach us: we still need the URL
    task = start(team, member, run_on_commit)
    assert task.request_payload["callback_url"].endswith("/<secret>/")
    assert task.state == TaskState.SUBMITTED


def test_the_simulator_answers_only_when_done_without_a_callback_url(simulator):
    simulator.queued_seconds, simulator.running_seconds = 0.05, 0.1
    submission = upstream.get_provider().submit(SongRequest.from_params(GENERATE))
    assert submission.result is not None
    assert submission.result.state == JobState.SUCCEEDED
    assert all(clip.audio_url for clip in submission.result.clips)


# --- the callback URL ---------------------------------------------------------------------
def test_a_deeply_nested_callback_body_is_a_400(
    client, team, member, run_on_commit, capture_tokens
):
    task = start(team, member, run_on_commit)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        reverse("music:callback", args=[task.pk, capture_tokens[0]]),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_replayed_callbacks_for_a_finished_task_enqueue_nothing(
    client, team, member, run_on_commit, simulator, capture_tokens, monkeypatch
):
    task = start(team, member, run_on_commit)
    look_now()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **k: queued.append(a))
    url = reverse("music:callback", args=[task.pk, capture_tokens[0]])
    body = simulator.callback_body(task.upstream_id)
    events = TaskEvent.objects.filter(task=task).count()

    for _ in range(3):
        assert client.post(url, body, content_type="application/json").status_code == 200

    assert queued == []
    assert TaskEvent.objects.filter(task=task).count() == events


def test_a_burst_of_callbacks_for_a_running_task_queues_one_refresh(
    client, team, member, run_on_commit, simulator, capture_tokens, monkeypatch
):
    simulator.running_seconds = 3600
    task = start(team, member, run_on_commit)
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **k: queued.append(a))
    url = reverse("music:callback", args=[task.pk, capture_tokens[0]])
    body = simulator.callback_body(task.upstream_id)
    for _ in range(5):
        client.post(url, body, content_type="application/json")
    assert len(queued) == 1


# --- looking for a lost answer: each task on its own ---------------------------------------
def test_a_failed_lookup_leaves_the_task_unconfirmed_and_it_is_looked_for_again(
    team, member, run_on_commit, simulator
):
    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    task = start(team, member, run_on_commit)
    assert task.state == TaskState.UNCONFIRMED
    simulator.faults.next_errors.append((503, "unavailable", "Try later."))  # the lookup

    look_now()
    task.refresh_from_db()
    assert (task.state, task.upstream_id) == (TaskState.UNCONFIRMED, "")

    look_now()
    task.refresh_from_db()
    assert task.upstream_id == jobs(simulator)[0]["id"]
    assert len(audio_posts(simulator)) == 1  # looked for, never sent again


def test_a_found_job_that_cannot_be_adopted_does_not_stop_the_others(
    team, member, run_on_commit, simulator, monkeypatch
):
    from music.services.tasks import reconciling

    simulator.faults.after_errors.extend([(500, "api_error", "Internal error.")] * 2)
    first = start(team, member, run_on_commit)
    second = start(team, member, run_on_commit, params={**GENERATE, "prompt": "another"})
    assert {first.state, second.state} == {TaskState.UNCONFIRMED}
    real = reconciling.confirm

    def confirm_but_the_first(task_id, upstream_id, **kwargs):
        if task_id == first.pk:
            raise RuntimeError("the database went away")
        return real(task_id, upstream_id, **kwargs)

    monkeypatch.setattr(reconciling, "confirm", confirm_but_the_first)
    provider = upstream.get_provider()
    assert reconciling.reconcile(provider, [first.pk, second.pk]) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.upstream_id == "" and first.state == TaskState.UNCONFIRMED
    assert second.upstream_id and second.state == TaskState.SUCCEEDED


def test_only_tasks_sent_without_a_known_job_are_looked_for(team, member, simulator):
    from music.services.tasks import reconciling

    known = TaskFactory(team=team, created_by=member, state="submitted", upstream_id="job-9")
    never_sent = TaskFactory(team=team, created_by=member, state="queued", request_payload=None)
    assert reconciling.reconcile(upstream.get_provider(), [known.pk, never_sent.pk]) == 0
    assert simulator.requests == []  # nothing to ask about: no call


def test_a_task_sent_long_after_it_was_queued_is_found_around_its_send(
    team, member, run_on_commit, simulator
):
    """The provider's records are searched around the moment the request left, not when
    the member asked (a busy queue may sit on it for minutes)."""
    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    task = start(team, member, run_on_commit)
    assert task.state == TaskState.UNCONFIRMED
    Task.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    look_now()
    task.refresh_from_db()
    assert task.upstream_id == jobs(simulator)[0]["id"]


def test_a_found_request_whose_answer_cannot_be_read_yet_is_looked_at_again(team, member):
    """A side request found in the provider's records before its answer is there: the task
    stays unconfirmed (looked for again), never confirmed without its answer."""
    from music.services.tasks import reconciling
    from music.upstream.base import Found

    task = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.UNCONFIRMED,
        action="wav",
        params={"action": "wav", "audio_id": "clip-1"},
        request_payload={"audio_id": "clip-1"},
    )
    reconciling.adopt(task.pk, Found("job-found", side=None))
    task.refresh_from_db()
    assert (task.state, task.upstream_id) == (TaskState.UNCONFIRMED, "")


def test_a_lookup_the_provider_fails_adopts_nothing_and_raises_nothing(
    team, member, run_on_commit, simulator
):
    from music.services.tasks import reconciling

    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    task = start(team, member, run_on_commit)
    simulator.faults.next_errors.append((503, "unavailable", "Try later."))
    assert reconciling.reconcile(upstream.get_provider(), [task.pk]) == 0
    assert Task.objects.get(pk=task.pk).state == TaskState.UNCONFIRMED


@pytest.mark.parametrize("missing_first", [True, False])
def test_a_task_not_in_the_providers_records_does_not_stop_the_others_being_found(
    team, member, run_on_commit, simulator, missing_first
):
    from music.services.tasks import reconciling

    def never_arrived():
        return TaskFactory(
            team=team,
            created_by=member,
            state=TaskState.UNCONFIRMED,
            params=GENERATE,
            request_payload={"prompt": "lost on the way", "callback_url": "http://x/cb/none"},
            submitted_at=timezone.now(),
        )

    missing = never_arrived() if missing_first else None
    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    lost = start(team, member, run_on_commit)
    missing = missing or never_arrived()
    adopted = reconciling.reconcile(upstream.get_provider(), [missing.pk, lost.pk])
    assert adopted == 1
    assert Task.objects.get(pk=lost.pk).upstream_id == jobs(simulator)[0]["id"]
