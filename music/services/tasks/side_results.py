"""Finishing a side action from its synchronous answer: a WAV or MP4 export, the lyric
timing, a persona, an upload (a song like any other), a voice's steps. Safe to repeat: a task
no longer waiting for its answer is left as it is."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from music.models import Action, LyricTiming, Task, TaskState
from music.services import media
from music.services.tasks import events, timing, voices
from music.services.tasks.applying import apply_result, set_reason
from music.upstream.base import JobResult, JobState


def apply_side_result(task_id, result):
    """Store what a synchronous endpoint answered and finish the task."""
    task = Task.objects.select_related("source_song").get(pk=task_id)
    if not (task.state in (TaskState.SUBMITTING, TaskState.UNCONFIRMED) or task.is_watched_late):
        return
    if task.action == Action.UPLOAD:
        # An upload is a song like any other: archive and record it the same way.
        upstream_id = (result.upstream_id or result.clip.id)[:100]
        moved = Task.objects.filter(
            pk=task_id, state__in=[TaskState.SUBMITTING, TaskState.UNCONFIRMED]
        ).update(state=TaskState.SUBMITTED, upstream_id=upstream_id)
        if not moved:
            Task.objects.filter(pk=task_id, upstream_id="").update(upstream_id=upstream_id)
        apply_result(
            task_id,
            JobResult(result.clip.id, JobState.SUCCEEDED, clips=[result.clip], raw=result.raw),
        )
        return
    archived = None
    if task.action in (Action.WAV, Action.MP4):
        archived = media.fetch_file(result.file_url, task.action, account=task.account)
        if not archived.ok and archived.retry:
            # The export exists upstream but its file did not come through: look it up again
            # (the provider's records keep it) rather than finishing without it.
            now = timezone.now()
            Task.objects.filter(
                pk=task_id, state__in=[TaskState.SUBMITTING, TaskState.UNCONFIRMED]
            ).update(
                state=TaskState.UNCONFIRMED,
                error_message=archived.error,
                error_reason=None,
                next_poll_at=now + timing.FIRST_POLL_AFTER,
            )
            Task.objects.filter(pk=task_id, state=TaskState.FAILED).update(
                next_poll_at=now + timing.FIRST_POLL_AFTER
            )
            return
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("source_song")
            .get(pk=task_id)
        )
        if not (
            task.state in (TaskState.SUBMITTING, TaskState.UNCONFIRMED) or task.is_watched_late
        ):
            return
        song = task.source_song
        if task.action in voices.SIDE_ACTIONS:
            voices.apply(task, result)
        elif task.action == Action.PERSONA:
            voices.save_persona(task, result.persona_id)
        elif task.action == Action.TIMING:
            LyricTiming.objects.update_or_create(
                song=song,
                defaults={
                    "words": [vars(w) for w in result.timing.words],
                    "waveform": [round(v, 4) for v in result.timing.waveform],
                    "fetched_at": timezone.now(),
                },
            )
        else:
            field = "wav_file" if task.action == Action.WAV else "video_file"
            if archived.ok:
                getattr(song, field).save(
                    archived.files["file"].name,
                    ContentFile(archived.files["file"].data),
                    save=False,
                )
            else:
                song.archive_error = archived.error[:300]
            if task.action == Action.MP4:
                song.video_url = result.file_url
            song.save()
        late = task.state == TaskState.FAILED
        task.state = TaskState.SUCCEEDED
        task.upstream_id = task.upstream_id or result.upstream_id[:100]
        task.response = result.raw
        task.progress = 100
        set_reason(task, None)
        task.error_code = ""
        task.late_until = None
        task.finished_at = timezone.now()
        task.save()
        events.record(task.pk, TaskState.SUCCEEDED, "late" if late else "")
    if task.action in voices.SIDE_ACTIONS:
        voices.follow_up(task)  # the next step of a persona v2, its own task
