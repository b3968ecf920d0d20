"""Applying a provider's result: states never go back, another team's songs are never touched."""

from django.core.files.base import ContentFile
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
