"""The task lifecycle: write the row, send it once, follow it to the end.

The rules that keep money and songs safe:
- a task row is written (`queued`) in the user's transaction; the queue message follows on
  commit, and a sweep re-sends messages that never arrived;
- the worker claims the row (`queued -> submitting`, committed) before the POST; a row that
  is not `queued` is never sent, so a re-delivered message or a crash cannot pay twice;
- results (poll or callback) are applied idempotently, and states only move forward.
"""

import hashlib
import hmac
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from music import upstream
from music.models import (
    ACTIVE_TASK_STATES,
    POLLED_TASK_STATES,
    SIDE_ACTIONS,
    SONG_STATE_RANK,
    TASK_STATE_RANK,
    Action,
    LyricTiming,
    Persona,
    ProviderAccount,
    Relation,
    Song,
    SongState,
    Task,
    TaskState,
)
from music.services import media
from music.upstream.base import ClipState, JobResult, JobState, SongRequest, UpstreamError

log = logging.getLogger(__name__)

FIRST_POLL_AFTER = timedelta(seconds=3)
MAX_POLL_INTERVAL = 60  # seconds
POLL_LEASE = timedelta(seconds=45)
STUCK_SUBMITTING_AFTER = timedelta(minutes=5)
LOST_MESSAGE_AFTER = timedelta(seconds=60)
RETRY_DELAYS = (1.0, 3.0)  # back-off for answers that say "not taken, try again"

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
}
# Results that are only a piece of a song until concatenated.
FRAGMENT_ACTIONS = {"extend", "upload_extend", "upload_generate", "replace_section"}


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def sleep(seconds):
    time.sleep(seconds)


# --- creating and sending ---------------------------------------------------------------
DEFAULT = object()


def start_task(*, team, user, action, params, source_song=None, request_key="", account=DEFAULT):
    """Record a user's request and queue it for sending once the transaction commits.

    A repeated `request_key` (the same form posted twice) returns the first task instead
    of paying for a second one.
    """
    if request_key:
        existing = Task.objects.filter(team=team, request_key=request_key).first()
        if existing:
            return existing
    if account is DEFAULT:
        # Work on a song goes where the song was made: its clip ids only exist there.
        account = source_song.account if source_song else default_account(team)
    now = timezone.now()
    try:
        with transaction.atomic():
            task = Task.objects.create(
                team=team,
                created_by=user,
                action=action,
                params=params,
                provider=upstream.provider_name(account),
                account=account,
                source_song=source_song,
                request_key=request_key,
                created_at=now,
                deadline_at=now + timedelta(minutes=settings.SUNO_TASK_DEADLINE_MINUTES),
            )
            transaction.on_commit(lambda: enqueue_submit(task.pk))
    except IntegrityError:
        # The same form, posted twice at once: the other request created the task.
        return Task.objects.get(team=team, request_key=request_key)
    return task


def default_account(team):
    """The team's default provider account; None means the operator's built-in provider."""
    accounts = list(ProviderAccount.objects.filter(team=team).order_by("-is_default", "name")[:1])
    return accounts[0] if accounts else None


def enqueue_submit(task_id):
    from django_q.tasks import async_task

    async_task(
        "music.tasks.submit_task", str(task_id), task_name=f"submit-{task_id}", group="submit"
    )


def callback_url(task, token):
    if not upstream.connection_for(task.account).callbacks:
        return ""
    path = reverse("music:callback", args=[task.pk, token])
    return f"{settings.STUDIO_PUBLIC_URL}{path}"


def redact(payload, token):
    """The stored request: what was sent, less the callback's secret."""
    clean = dict(payload)
    if clean.get("callback_url"):
        clean["callback_url"] = clean["callback_url"].replace(token, "<secret>")
    return clean


def submit(task_id):
    """Send a queued task upstream, at most once whatever happens around it."""
    claimed = Task.objects.filter(pk=task_id, state=TaskState.QUEUED).update(
        state=TaskState.SUBMITTING,
        submit_attempts=F("submit_attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        log.info("task %s is not queued any more; not sending it again", task_id)
        return
    task = Task.objects.select_related("account").get(pk=task_id)
    provider = upstream.get_provider(task.account)
    request = SongRequest.from_params(task.params)
    token = secrets.token_urlsafe(24)
    url = "" if task.action in SIDE_ACTIONS else callback_url(task, token)
    payload = (
        side_payload(task)
        if task.action in SIDE_ACTIONS
        else redact(provider.build_payload(request, url), token)
    )
    Task.objects.filter(pk=task_id).update(
        callback_token_hash=hash_token(token) if url else "",
        request_payload=payload,
    )

    side = task.action in SIDE_ACTIONS
    for attempt, delay in enumerate((*RETRY_DELAYS, None)):
        try:
            if side:
                result = call_side(provider, task)
            else:
                submission = provider.submit(request, url)
            break
        except UpstreamError as exc:
            if exc.safe_to_retry and delay is not None:
                log.info("task %s: %s; trying again (attempt %s)", task_id, exc, attempt + 2)
                sleep(delay)
                continue
            message = exc.message
            if exc.accepted and not exc.permanent:
                message = _(
                    "%(message)s The provider may have received the request, so it was "
                    "not sent again; look for the song before trying again."
                ) % {"message": message}
            fail(task_id, message, exc.code, raw=exc.raw, not_charged=not exc.accepted)
            return
    if side:
        apply_side_result(task_id, result)
        return
    now = timezone.now()
    Task.objects.filter(pk=task_id, state=TaskState.SUBMITTING).update(
        state=TaskState.SUBMITTED,
        upstream_id=submission.upstream_id,
        response=submission.raw,
        submitted_at=now,
        next_poll_at=now + FIRST_POLL_AFTER,
    )
    if submission.result is not None:
        apply_result(task_id, submission.result)


SIDE_FIELDS = {
    "upload": ("audio_url",),
    "persona": ("name", "description", "audio_id"),
    "timing": ("audio_id",),
    "wav": ("audio_id",),
    "mp4": ("audio_id",),
}


def side_payload(task):
    return {name: task.params.get(name, "") for name in SIDE_FIELDS[task.action]}


def call_side(provider, task):
    p = task.params
    if task.action == Action.UPLOAD:
        return provider.upload(p["audio_url"])
    if task.action == Action.PERSONA:
        return provider.create_persona(p["name"], p.get("description", ""), p["audio_id"])
    return getattr(provider, task.action)(p["audio_id"])  # timing, wav, mp4


def apply_side_result(task_id, result):
    """Store what a synchronous endpoint answered and finish the task."""
    task = Task.objects.select_related("source_song").get(pk=task_id)
    if task.action == Action.UPLOAD:
        # An upload is a song like any other: archive and record it the same way.
        Task.objects.filter(pk=task_id).update(
            state=TaskState.SUBMITTED,
            upstream_id=result.upstream_id or result.clip.id,
            submitted_at=timezone.now(),
        )
        apply_result(
            task_id,
            JobResult(result.clip.id, JobState.SUCCEEDED, clips=[result.clip], raw=result.raw),
        )
        return
    archived = None
    if task.action in (Action.WAV, Action.MP4):
        archived = media.fetch_file(
            result.file_url,
            task.action,
            ".wav" if task.action == Action.WAV else ".mp4",
            account=task.account,
        )
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("source_song")
            .get(pk=task_id)
        )
        if task.state != TaskState.SUBMITTING:
            return
        song = task.source_song
        if task.action == Action.PERSONA:
            Persona.objects.get_or_create(
                provider=task.provider,
                upstream_id=result.persona_id,
                defaults={
                    "team": task.team,
                    "name": task.params["name"],
                    "description": task.params.get("description", ""),
                    "source_song": song,
                    "task": task,
                    "created_by": task.created_by,
                },
            )
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
        task.state = TaskState.SUCCEEDED
        task.upstream_id = result.upstream_id[:100]
        task.response = result.raw
        task.progress = 100
        task.submitted_at = task.finished_at = timezone.now()
        task.save()


def fail(task_id, message, code="", raw=None, not_charged=False):
    if not_charged:
        message = _("%(message)s Nothing was charged; you can try again.") % {"message": message}
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.state in (TaskState.SUCCEEDED, TaskState.FAILED):
            return
        task.state = TaskState.FAILED
        task.error_message = message
        task.error_code = code[:50]
        task.finished_at = timezone.now()
        if raw is not None:
            task.response = raw
        task.save()
        task.songs.filter(state__in=[SongState.PENDING, SongState.RUNNING]).update(
            state=SongState.FAILED, error_message=message
        )


# --- following ---------------------------------------------------------------------------
def poll_interval(polls):
    return timedelta(seconds=min(3 * 1.5**polls, MAX_POLL_INTERVAL))


def claim_due(now, limit=500):
    """Claim tasks due for a poll, so an overlapping tick leaves them alone."""
    with transaction.atomic():
        due = list(
            Task.objects.select_for_update(skip_locked=True)
            .filter(state__in=POLLED_TASK_STATES, next_poll_at__lte=now)
            .order_by("next_poll_at")
            .values_list("pk", "upstream_id", "polls", "deadline_at", "account_id")[:limit]
        )
        if due:
            Task.objects.filter(pk__in=[row[0] for row in due]).update(
                next_poll_at=now + POLL_LEASE
            )
    return due


def poll_due(limit=500):
    """One poll tick: every due task, one batch request per provider account."""
    now = timezone.now()
    due = claim_due(now, limit)
    groups = {}
    for pk, upstream_id, polls, deadline, account_id in due:
        if deadline and deadline < now:
            fail(
                pk,
                _("The provider did not finish this within %(minutes)s minutes.")
                % {"minutes": settings.SUNO_TASK_DEADLINE_MINUTES},
                "deadline",
            )
        else:
            groups.setdefault(account_id, []).append((pk, upstream_id, polls))
    accounts = ProviderAccount.objects.in_bulk([a for a in groups if a is not None])
    for account_id, live in groups.items():
        poll_group(accounts.get(account_id), live, now)
    return len(due)


def poll_group(account, live, now):
    """Poll one account's tasks with its own batch request(s) and apply what changed."""
    provider = upstream.get_provider(account)
    try:
        results = provider.fetch([upstream_id for _, upstream_id, _ in live])
    except UpstreamError as exc:
        log.warning("poll of %s tasks failed: %s", len(live), exc)
        for pk, _upstream_id, polls in live:
            Task.objects.filter(pk=pk).update(
                polls=polls + 1,
                next_poll_at=now + poll_interval(polls + 1),
                error_message=_("Last check failed: %(reason)s") % {"reason": exc.message},
            )
        return
    by_polls = {}
    for pk, _upstream_id, polls in live:
        by_polls.setdefault(polls, []).append(pk)
    for polls, pks in by_polls.items():
        Task.objects.filter(pk__in=pks).update(
            polls=polls + 1, next_poll_at=now + poll_interval(polls + 1)
        )
    # Load every task and known clip of the tick at once: most polls change nothing.
    loaded = Task.objects.select_related("source_song", "account").in_bulk(
        [pk for pk, _, _ in live]
    )
    clip_ids = [c.id for r in results.values() for c in r.clips]
    known = {s.upstream_id: s for s in Song.objects.filter(upstream_id__in=clip_ids)}
    for pk, upstream_id, _polls in live:
        result = results.get(upstream_id)
        if result is not None and pk in loaded:
            apply_result(pk, result, task=loaded[pk], known=known)


def refresh(task_id):
    """Fetch one task now (a callback arrived): the callback is a hint, the fetch the truth."""
    task = Task.objects.select_related("account").get(pk=task_id)
    if not task.upstream_id or task.state not in POLLED_TASK_STATES:
        return
    try:
        results = upstream.get_provider(task.account).fetch([task.upstream_id])
    except UpstreamError as exc:
        log.warning("refresh of task %s failed: %s", task_id, exc)
        return
    if task.upstream_id in results:
        apply_result(task_id, results[task.upstream_id])


def apply_result(task_id, result: JobResult, *, task=None, known=None):
    """Bring a task and its songs up to what the upstream says. Safe to repeat.

    `task` and `known` (clip id -> Song) may be passed pre-loaded by a poll tick.
    """
    if task is None:
        task = Task.objects.select_related("source_song").get(pk=task_id)
    if task.state in (TaskState.SUCCEEDED, TaskState.FAILED):
        return
    if known is None:
        clip_ids = [c.id for c in result.clips]
        known = {s.upstream_id: s for s in Song.objects.filter(upstream_id__in=clip_ids)}
    known = {
        c.id: known[c.id]
        for c in result.clips
        if c.id in known and known[c.id].provider == task.provider
    }
    if is_unchanged(task, result, known):
        return
    # Download outside the transaction: media can be large and slow.
    archived = {}
    for clip in result.clips:
        song = known.get(clip.id)
        if clip.state == ClipState.SUCCEEDED and not (song and song.audio_file):
            archived[clip.id] = media.fetch_clip_media(clip, task.account)

    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("source_song")
            .get(pk=task_id)
        )
        if task.state in (TaskState.SUCCEEDED, TaskState.FAILED):
            return
        all_final = True
        for index, clip in enumerate(result.clips):
            song = upsert_song(task, clip, index, archived.get(clip.id))
            all_final = all_final and song.state in (SongState.SUCCEEDED, SongState.FAILED)

        new_state = JOB_TO_TASK_STATE[result.state]
        if new_state == TaskState.SUCCEEDED and not all_final:
            new_state = TaskState.RUNNING  # media still being archived; the next poll retries
        if TASK_STATE_RANK[new_state] >= TASK_STATE_RANK[task.state]:
            task.state = new_state
        task.response = result.raw or task.response
        if result.progress is not None:
            task.progress = max(task.progress, result.progress)
        if task.state == TaskState.SUCCEEDED:
            task.progress = 100
            task.finished_at = timezone.now()
            task.error_message = ""
        elif task.state == TaskState.FAILED:
            task.finished_at = timezone.now()
            task.error_message = result.error or _("The provider could not make this song.")
            task.error_code = result.error_code[:50]
        task.save()
    if task.state == TaskState.SUCCEEDED and task.params.get("auto_concat"):
        join_replacement(task)


def join_replacement(task):
    """The team asked for whole songs right away: concatenate the new section once."""
    fragment = task.songs.filter(state=SongState.SUCCEEDED).order_by("created_at").first()
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


def is_unchanged(task, result, known):
    """Whether a result only repeats what we already have (most polls of running jobs)."""
    if JOB_TO_TASK_STATE[result.state] != task.state or result.state == JobState.SUCCEEDED:
        return False
    if result.progress is not None and result.progress != task.progress:
        return False
    return all(
        clip.id in known and known[clip.id].state == CLIP_TO_SONG_STATE[clip.state]
        for clip in result.clips
    )


def upsert_song(task, clip, index, archived):
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
            root=(parent.root or parent) if parent else None,
            relation=ACTION_RELATION.get(task.action, Relation.GENERATED),
            is_fragment=task.action in FRAGMENT_ACTIONS,
            # A whole song or a stem is Pro-made when what it comes from was.
            is_pro=bool(task.params.get("is_pro"))
            or bool(parent and parent.is_pro and task.action in ("concat", "stems"))
            or task.provider == "relay",  # relays have no pools
            instrumental=bool(task.params.get("instrumental")),
            # Keep the two clips of one job in a stable order in "newest first" lists.
            created_at=task.created_at + timedelta(microseconds=index),
        )
    elif song.team_id != task.team_id:
        log.error("clip %s already belongs to another team; ignoring it", clip.id)
        return song
    target = CLIP_TO_SONG_STATE[clip.state]
    if archived is not None and not archived.ok:
        song.archive_error = archived.error[:300]
        if archived.retry:
            target = SongState.RUNNING  # try the download again on the next poll
    if archived is not None and archived.ok:
        song.archive_error = ""
        archived.attach(song)
    if SONG_STATE_RANK[target] >= SONG_STATE_RANK[song.state]:
        song.state = target
    song.title = clip.title or song.title or task.params.get("title", "")
    song.prompt = clip.prompt or song.prompt or task.params.get("prompt", "")
    song.lyric = clip.lyric or song.lyric
    song.style = (clip.style or song.style or task.params.get("style", ""))[:1000]
    song.model_name = clip.model or song.model_name or task.params.get("model", "")
    song.duration = clip.duration or song.duration
    song.audio_url = clip.audio_url or song.audio_url
    song.image_url = clip.image_url or song.image_url
    song.video_url = clip.video_url or song.video_url
    if clip.state == ClipState.FAILED:
        song.error_message = clip.error or _("The provider could not make this clip.")
    if clip.concat_history:
        song.parts = [
            {"id": str(part.get("id", "")), "continue_at": part.get("continue_at")}
            for part in clip.concat_history
            if isinstance(part, dict)
        ]
    song.raw = clip.raw
    song.save()
    return song


# --- callbacks -----------------------------------------------------------------------------
def accept_callback(task_id, token, body):
    """Check a callback's secret and queue a refresh. Returns False for a bad secret."""
    task = (
        Task.objects.filter(pk=task_id)
        .select_related("account")
        .only("callback_token_hash", "upstream_id", "account")
        .first()
    )
    if task is None or not task.callback_token_hash:
        return False
    if not hmac.compare_digest(task.callback_token_hash, hash_token(token)):
        return False
    try:
        upstream_id = upstream.get_provider(task.account).parse_callback(body)
    except UpstreamError:
        upstream_id = ""
    if task.upstream_id and upstream_id and upstream_id != task.upstream_id:
        log.warning("callback for task %s names job %s; ignoring it", task_id, upstream_id)
        return True
    from django_q.tasks import async_task

    async_task(
        "music.tasks.refresh_task", str(task_id), task_name=f"refresh-{task_id}", group="refresh"
    )
    return True


# --- housekeeping --------------------------------------------------------------------------
def sweep(now=None):
    """Repair what crashes and lost messages leave behind. Returns counts for the log."""
    now = now or timezone.now()
    counts = {"resent": 0, "stuck": 0, "expired": 0}
    lost = Task.objects.filter(state=TaskState.QUEUED, created_at__lt=now - LOST_MESSAGE_AFTER)
    for pk in lost.values_list("pk", flat=True)[:200]:
        enqueue_submit(pk)  # harmless if the first message is still coming: submit claims once
        counts["resent"] += 1
    stuck = Task.objects.filter(
        state=TaskState.SUBMITTING, upstream_id="", updated_at__lt=now - STUCK_SUBMITTING_AFTER
    )
    for pk in stuck.values_list("pk", flat=True):
        fail(
            pk,
            _(
                "The studio stopped while sending this request and cannot tell whether the "
                "provider received it. It was not sent again, so you are not charged "
                "twice; check the provider's dashboard, or try again."
            ),
            "lost_submit",
        )
        counts["stuck"] += 1
    expired = Task.objects.filter(state__in=ACTIVE_TASK_STATES, deadline_at__lt=now).exclude(
        state=TaskState.SUBMITTING
    )
    for pk in expired.values_list("pk", flat=True):
        fail(
            pk,
            _("The provider did not finish this within %(minutes)s minutes.")
            % {"minutes": settings.SUNO_TASK_DEADLINE_MINUTES},
            "deadline",
        )
        counts["expired"] += 1
    return counts
