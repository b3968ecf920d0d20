"""Applying what the provider says to a task and its songs. Safe to repeat, one task at a
time: an answer we cannot store spoils that task's update, never another's."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from music import reasons
from music.models import (
    SONG_STATE_RANK,
    TASK_STATE_RANK,
    TERMINAL_TASK_STATES,
    Action,
    Relation,
    Song,
    SongState,
    Task,
    TaskState,
)
from music.reasons import Reason, as_reason, sentence  # noqa: F401  (sentence: re-exported)
from music.services.tasks import archiving, events, timing
from music.upstream.base import ClipState, JobResult, JobState

log = logging.getLogger(__name__)

CLIP_TO_SONG_STATE = {
    ClipState.PENDING: SongState.PENDING,
    ClipState.RUNNING: SongState.RUNNING,
    ClipState.SUCCEEDED: SongState.SUCCEEDED,
    ClipState.FAILED: SongState.FAILED,
}
JOB_TO_TASK_STATE = {
    JobState.PENDING: TaskState.SUBMITTED,
    JobState.RUNNING: TaskState.RUNNING,
    JobState.SUCCEEDED: TaskState.SUCCEEDED,
    JobState.FAILED: TaskState.FAILED,
}
ACTION_RELATION = {
    "generate": Relation.GENERATED,
    "extend": Relation.EXTENDED,
    "upload_extend": Relation.EXTENDED,
    "upload_generate": Relation.EXTENDED,
    "concat": Relation.CONCATENATED,
    "cover": Relation.COVERED,
    "replace_section": Relation.REPLACED,
    "stems": Relation.STEM,
    "artist_consistency": Relation.PERSONA,
    "upload": Relation.UPLOADED,
    "remaster": Relation.REMASTERED,
    "adjust_speed": Relation.SPEED_CHANGED,
    "samples": Relation.SAMPLED,
    "underpainting": Relation.INSTRUMENTAL_ADDED,
    "overpainting": Relation.VOCALS_ADDED,
    "upload_cover": Relation.COVERED,
    "all_stems": Relation.ALL_STEMS,
    "add_stem": Relation.STEM_ADDED,
    "extract_stem": Relation.STEM_EXTRACTED,
    "mashup": Relation.MASHUP,
    "inspo": Relation.INSPIRED,
    "artist_consistency_vox": Relation.PERSONA_V2,
}
# Results that are their source's own audio, reworked: Pro-made when their source was.
SAME_AUDIO_ACTIONS = (
    "concat",
    "stems",
    "adjust_speed",
    "samples",
    "all_stems",
    "extract_stem",
)
# Results that are one part of their source: each song records which (services.stems).
STEM_ACTIONS = ("all_stems", "extract_stem")


def stem_part(task, title):
    """The part a stem clip is: named in its title, else the one the task asked for."""
    from music.services import stems

    found = stems.stem_type_of(title)
    return found or task.params.get("stem_type", "")


# Results that are only a piece of a song until concatenated.
FRAGMENT_ACTIONS = {"extend", "upload_extend", "upload_generate", "replace_section"}


def is_fragment_of(task):
    """A replaced section asked for as the whole song (`full_song`) is one already."""
    if task.params.get("replace_section_result_mode") == "full_song":
        return False
    return task.action in FRAGMENT_ACTIONS


# Column sizes of Song: a provider's over-long value is cut, never a database error.
LIMITS = {"title": 200, "style": 1000, "model_name": 40}
# A clip the provider made: its song is saving, or succeeded once its file is stored.
MADE = (SongState.SAVING, SongState.SUCCEEDED)


def fail(task_id, message, code="", raw=None, not_charged=False, late=False):
    """End a task as failed, with a reason (a Reason, kept untranslated for its readers).
    `late`: it failed for want of an answer, so it is still watched for the grace period and
    a late result can still complete it."""
    reason = as_reason(message)
    if not_charged:
        reason = Reason(
            gettext_noop("%(message)s Nothing was charged; you can try again."), message=reason
        )
    columns = reasons.stored(reason)
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.state in TERMINAL_TASK_STATES:
            return
        task.state = TaskState.FAILED
        task.error_message = columns["error_message"]
        task.error_reason = columns["error_reason"]
        task.error_code = code[:50]
        task.finished_at = now
        if late:
            task.late_until = now + timing.late_grace()
            task.next_poll_at = now + timing.late_poll()
        if raw is not None:
            task.response = raw
        task.save()
        task.songs.filter(state__in=[SongState.PENDING, SongState.RUNNING]).update(
            state=SongState.FAILED, **columns
        )
        events.record(task_id, TaskState.FAILED, code, reason)


def job_reason(result):
    """Why the provider failed a job: ours, with its own words as details."""
    if result.error_reason is not None:
        return result.error_reason
    return Reason(gettext_noop("The provider could not make this song."), result.error)


def may_apply(task):
    """Whether a result may still change this task: active, or watched for a late result."""
    return task.state not in TERMINAL_TASK_STATES or task.is_watched_late


def apply_result(task_id, result: JobResult, *, task=None, known=None):
    """Bring a task and its songs up to what the upstream says. Safe to repeat.

    `task` and `known` (clip id -> Song) may be passed pre-loaded by a poll tick.
    """
    if task is None:
        task = Task.objects.select_related("source_song").get(pk=task_id)
    if not may_apply(task):
        return
    late = task.state == TaskState.FAILED
    if late and result.state not in (JobState.SUCCEEDED, JobState.FAILED):
        return  # still being made after our deadline: keep watching
    if known is None:
        clip_ids = [c.id for c in result.clips]
        known = {s.upstream_id: s for s in Song.objects.filter(upstream_id__in=clip_ids)}
    known = {
        c.id: known[c.id]
        for c in result.clips
        if c.id in known and known[c.id].provider == task.provider
    }
    if not late and is_unchanged(task, result, known):
        return
    saving = []  # songs whose media the archive jobs now copy (after the commit)
    # Durable: the outermost transaction, so the archive jobs enqueued after it find the rows.
    with transaction.atomic(durable=True):
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("source_song")
            .get(pk=task_id)
        )
        if not may_apply(task):
            return
        if task.state == TaskState.FAILED:
            apply_late(task, result, saving)
        else:
            apply_current(task, result, saving)
    archiving.enqueue(saving)
    if (
        task.state == TaskState.SUCCEEDED
        and task.params.get("auto_concat")
        and is_fragment_of(task)
    ):
        join_replacement(task)
    if task.state == TaskState.SUCCEEDED and task.params.get("then"):
        continue_upload(task)


def apply_current(task, result, saving):
    """A result for a task in flight (inside apply_result's lock). The task ends when the
    provider says so; its songs are `saving` until their media is stored."""
    previous = task.state
    for index, clip in enumerate(result.clips):
        upsert_song(task, clip, index, saving, takes=len(result.clips))
    new_state = JOB_TO_TASK_STATE[result.state]
    if TASK_STATE_RANK[new_state] >= TASK_STATE_RANK[task.state]:
        task.state = new_state
    task.response = result.raw or task.response
    if result.progress is not None:
        task.progress = max(task.progress, result.progress)
    reason = None
    if task.state == TaskState.SUCCEEDED:
        task.progress = 100
        task.finished_at = timezone.now()
        set_reason(task, None)
    elif task.state == TaskState.FAILED:
        task.finished_at = timezone.now()
        reason = job_reason(result)
        set_reason(task, reason)
        task.error_code = result.error_code[:50]
    task.save()
    if task.state != previous:
        events.record(task.pk, task.state, task.error_code, reason or "")


def set_reason(task_or_song, reason):
    for name, value in reasons.stored(reason).items():
        setattr(task_or_song, name, value)


def apply_late(task, result, saving):
    """A result for a task that failed for want of an answer (inside apply_result's lock)."""
    if result.state == JobState.FAILED:
        if result.error or result.error_reason:
            set_reason(task, job_reason(result))
        task.error_code = (result.error_code or task.error_code)[:50]
        task.late_until = None
        task.response = result.raw or task.response
        task.save()
        events.record(
            task.pk,
            TaskState.FAILED,
            task.error_code,
            Reason(gettext_noop("The provider failed it.")),
        )
        return
    for index, clip in enumerate(result.clips):
        upsert_song(task, clip, index, saving, takes=len(result.clips))
    task.state = TaskState.SUCCEEDED
    task.progress = 100
    task.finished_at = timezone.now()
    set_reason(task, None)
    task.error_code = ""
    task.late_until = None
    task.response = result.raw or task.response
    task.save()
    events.record(
        task.pk, TaskState.SUCCEEDED, "late", Reason(gettext_noop("The result arrived late."))
    )


def join_replacement(task):
    """The team asked for whole songs right away: concatenate the new section once."""
    from music.services.tasks.starting import start_task

    # Its clip exists upstream once made: no need to wait until its audio is stored here.
    fragment = (
        task.songs.filter(state__in=[SongState.SAVING, SongState.SUCCEEDED])
        .order_by("created_at")
        .first()
    )
    if fragment is None:
        return
    start_task(
        team=task.team,
        user=task.created_by,
        action=Action.CONCAT,
        params={"action": Action.CONCAT, "audio_id": fragment.upstream_id, "is_infill": True},
        source_song=fragment,
        request_key=f"auto-concat-{task.pk}",
    )


def continue_upload(task):
    """The member asked to continue their upload: once, from the uploaded song, so the
    upload is the root of the family (a one-step upload_generate leaves it out)."""
    from music.services.tasks.starting import start_task

    uploaded = task.songs.order_by("created_at").first()
    if uploaded is None:
        return
    then = task.params["then"]
    start_task(
        team=task.team,
        user=task.created_by,
        action=Action.UPLOAD_EXTEND,
        params={
            # Untitled, the continuation would take the provider's name for the upload.
            "title": uploaded.title,
            **{k: v for k, v in then.items() if v not in ("", None)},
            "action": Action.UPLOAD_EXTEND,
            "audio_id": uploaded.upstream_id,
            "custom": True,
            "source_task_id": task.upstream_id,
        },
        source_song=uploaded,
        request_key=f"upload-continue-{task.pk}",
    )


def is_unchanged(task, result, known):
    """Whether a result only repeats what we already have (most polls of running jobs)."""
    if JOB_TO_TASK_STATE[result.state] != task.state:
        return False  # (a task in flight is never `succeeded`: a success always changes it)
    if result.progress is not None and result.progress != task.progress:
        return False
    return all(
        clip.id in known and known[clip.id].state == CLIP_TO_SONG_STATE[clip.state]
        for clip in result.clips
    )


def other_parent(task):
    """A mashup's second song (of the task's own team: teams are walls), or None."""
    other = task.params.get("other_song")
    return Song.objects.filter(pk=other, team=task.team_id).first() if other else None


def upsert_song(task, clip, index, saving, takes):
    """Create or update a clip's song; a finished clip not stored yet becomes `saving`, and
    its id goes into `saving` for an archive job (once: repeats find it saving already).
    `index` is the clip's place in the provider's list of the job's `takes` clips."""
    song = (
        Song.objects.select_for_update().filter(provider=task.provider, upstream_id=clip.id).first()
    )
    if song is None:
        parent = task.source_song
        song = Song(
            team=task.team,
            task=task,
            author=task.created_by,
            provider=task.provider,
            upstream_id=clip.id,
            account=task.account,
            parent=parent,
            other_parent=other_parent(task),
            root=(parent.root or parent) if parent else None,
            relation=ACTION_RELATION.get(task.action, Relation.GENERATED),
            is_fragment=is_fragment_of(task),
            # A whole song or a stem is Pro-made when what it comes from was.
            is_pro=bool(task.params.get("is_pro"))
            or bool(parent and parent.is_pro and task.action in SAME_AUDIO_ACTIONS)
            or task.provider == "relay",  # relays have no pools
            instrumental=bool(task.params.get("instrumental")),
            # Keep the two clips of one job in a stable order in "newest first" lists.
            created_at=task.created_at + timedelta(microseconds=index),
        )
    elif song.team_id != task.team_id:
        log.error("clip %s already belongs to another team; ignoring it", clip.id)
        return song
    target = CLIP_TO_SONG_STATE[clip.state]
    if target == SongState.SUCCEEDED and not song.audio_file:
        target = SongState.SAVING
    # Forward only; a song failed with its task for want of an answer is made after all.
    late_made = song.state == SongState.FAILED and target in MADE
    if target == SongState.SAVING and (
        late_made or SONG_STATE_RANK[song.state] < SONG_STATE_RANK[target]
    ):
        song.archive_due_at = timezone.now() + timing.ARCHIVE_QUEUE_LEASE
        song.archive_attempts = 0
        saving.append(song.pk)
    # Strictly forward: a stored song (ranked with a failed one) never turns failed.
    if late_made or SONG_STATE_RANK[target] > SONG_STATE_RANK[song.state]:
        song.state = target
    # An upload keeps its file's name; the provider's is a made-up id ("up-<uuid>").
    named = task.params.get("title", "") if task.action == Action.UPLOAD else ""
    if task.action in STEM_ACTIONS and not song.stem_type:
        song.stem_type = stem_part(task, clip.title)
    song.title = (named or clip.title or song.title or task.params.get("title", ""))[
        : LIMITS["title"]
    ]
    song.prompt = clip.prompt or song.prompt or task.params.get("prompt", "")
    song.lyric = clip.lyric or song.lyric
    song.style = (clip.style or song.style or task.params.get("style", ""))[: LIMITS["style"]]
    song.model_name = (clip.model or song.model_name or task.params.get("model", ""))[
        : LIMITS["model_name"]
    ]
    song.duration = clip.duration or song.duration
    song.audio_url = clip.audio_url or song.audio_url
    song.image_url = clip.image_url or song.image_url
    song.video_url = clip.video_url or song.video_url
    if clip.state == ClipState.FAILED and song.state == SongState.FAILED:
        set_reason(song, Reason(gettext_noop("The provider could not make this clip."), clip.error))
    elif target in (SongState.SAVING, SongState.SUCCEEDED):
        set_reason(song, None)
    if clip.concat_history:
        song.parts = [
            {"id": str(part.get("id", ""))[:100], "continue_at": part.get("continue_at")}
            for part in clip.concat_history
            if isinstance(part, dict)
        ]
    # Take A, B, ... in the provider's order; the only clip of its job has no letter.
    song.take = index + 1 if takes > 1 else 0
    song.raw = clip.raw
    song.save()
    return song
