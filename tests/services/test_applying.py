"""Applying a provider's result: states never go back, another team's songs are never touched."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from music import upstream
from music.models import Song, SongState, Task, TaskState
from music.services import tasks
from music.upstream.base import Clip, ClipState, JobResult, JobState, SongRequest
from tests.factories import MembershipFactory, SongFactory, TaskFactory
from tests.mediafiles import mp3_frames

GENERATE = {"action": "generate", "prompt": "a slow one", "model": "chirp-v4"}


def test_a_stale_pending_result_never_moves_a_running_task_back(team, member, simulator):
    simulator.running_seconds = 3600  # still being made for the whole test
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(task.pk)
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    task.refresh_from_db()
    assert task.state == TaskState.RUNNING  # the task is not finished: no early return
    songs = {s.upstream_id: s.state for s in task.songs.all()}
    assert set(songs.values()) == {SongState.RUNNING}

    # An answer from before (a slow poll, a re-delivered callback fetch) arrives late.
    stale = JobResult(
        task.upstream_id,
        JobState.PENDING,
        clips=[Clip(id=clip_id, state=ClipState.PENDING) for clip_id in songs],
        progress=task.progress,
    )
    tasks.apply_result(task.pk, stale)

    task.refresh_from_db()
    assert task.state == TaskState.RUNNING
    assert {s.upstream_id: s.state for s in task.songs.all()} == songs
    assert list(task.events.values_list("state", flat=True)).count(TaskState.SUBMITTED) == 1


def test_a_clip_that_is_another_teams_song_is_never_overwritten(team, member, simulator):
    """A provider answer naming a clip id another team already owns (a bug or a forgery)."""
    other_team = MembershipFactory(role="owner").team
    theirs = SongFactory(team=other_team, title="Their song", lyric="their words")
    theirs.audio_file.save("audio.mp3", ContentFile(mp3_frames(0.3)))
    before = Song.objects.filter(pk=theirs.pk).values().get()

    job = upstream.get_provider().submit(SongRequest(prompt="ours")).upstream_id
    ours = TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTED,
        upstream_id=job,
        params=GENERATE,
    )
    result = JobResult(
        job,
        JobState.SUCCEEDED,
        clips=[
            Clip(
                id=theirs.upstream_id,
                state=ClipState.SUCCEEDED,
                title="Overwritten",
                lyric="not their words",
                audio_url=f"{upstream.SIMULATOR_BASE_URL}/media/{theirs.upstream_id}.mp3",
            )
        ],
    )
    tasks.apply_result(ours.pk, result)

    assert Song.objects.filter(pk=theirs.pk).values().get() == before
    assert not Song.objects.filter(team=team).exists()
    assert not Song.objects.filter(task=ours).exists()


def submitted_task(team, member, job, **params):
    return TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTED,
        upstream_id=job,
        params={**GENERATE, **params},
    )


def test_a_providers_over_long_values_are_cut_to_their_columns(team, member):
    """PostgreSQL refuses a value longer than its column: the song would never be stored."""
    task = submitted_task(team, member, "job-long")
    clip = Clip(
        id="clip-long",
        state=ClipState.RUNNING,
        title="T" * 300,
        style="s" * 1200,
        model="m" * 60,
        concat_history=[{"id": "p" * 150, "continue_at": 3.5}, "not a part"],
    )
    tasks.apply_result(task.pk, JobResult("job-long", JobState.RUNNING, clips=[clip]))
    song = Song.objects.get(task=task)
    assert (song.title, song.style, song.model_name) == ("T" * 200, "s" * 1000, "m" * 40)
    assert song.parts == [{"id": "p" * 100, "continue_at": 3.5}]

    failed = JobResult("job-long", JobState.FAILED, clips=[clip], error_code="E" * 80)
    tasks.apply_result(task.pk, failed)
    task.refresh_from_db()
    assert (task.state, task.error_code) == (TaskState.FAILED, "E" * 50)


def test_a_failure_of_our_own_keeps_its_code_to_the_column(team, member):
    task = submitted_task(team, member, "job-own")
    tasks.fail(task.pk, "The studio gave up.", code="c" * 80)
    task.refresh_from_db()
    assert (task.state, task.error_code) == (TaskState.FAILED, "c" * 50)


@pytest.mark.django_db(transaction=True)
def test_results_are_never_applied_inside_a_callers_transaction(team, member):
    """Archive jobs are queued once the songs are committed: inside another transaction they
    would look for rows not there yet, so applying refuses to run nested."""
    task = submitted_task(team, member, "job-nested")
    running = JobResult("job-nested", JobState.RUNNING, progress=10)
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.apply_result(task.pk, running)
    tasks.apply_result(task.pk, running)
    task.refresh_from_db()
    assert task.state == TaskState.RUNNING
