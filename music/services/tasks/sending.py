"""Sending a queued task upstream, at most once whatever happens around it."""

import logging
import secrets
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from music import reasons, upstream
from music.models import SIDE_ACTIONS, Action, Task, TaskState
from music.reasons import Reason
from music.services import references, uploads
from music.services.tasks import events, timing
from music.services.tasks.applying import apply_result, fail
from music.services.tasks.callbacks import hash_token
from music.services.tasks.side_results import apply_side_result
from music.upstream.base import SECRET_MARK, SongRequest, UpstreamError

log = logging.getLogger(__name__)


def sleep(seconds):
    time.sleep(seconds)


def callback_url(task, token, provider=None):
    """Our callback URL for a task, or "" when none is sent.

    A format that answers at once only when it has a callback URL (SunoHub) always gets
    one: if the provider cannot reach us, polling still finds the result.
    """
    wanted = upstream.connection_for(task.account).callbacks
    if not wanted and not (provider and provider.needs_callback_url):
        return ""
    path = reverse("music:callback", args=[task.pk, token])
    return f"{settings.STUDIO_PUBLIC_URL}{path}"


def redact(payload, token):
    """The stored request: what was sent, less the callback's secret."""
    clean = dict(payload)
    if clean.get("callback_url"):
        clean["callback_url"] = clean["callback_url"].replace(token, SECRET_MARK)
    if clean.get("notify_hook"):
        clean["notify_hook"] = clean["notify_hook"].replace(token, SECRET_MARK)
    return clean


def call_side(provider, task):
    p = task.params
    if task.action == Action.UPLOAD:
        return provider.upload(p["audio_url"])
    if task.action == Action.PERSONA:
        return provider.create_persona(p["name"], p.get("description", ""), p["audio_id"])
    if task.action == Action.VOX:
        return provider.vox(p["audio_id"], p["vocal_start"], p["vocal_end"])
    if task.action == Action.PERSONA_VOX:
        return provider.create_vox_persona(
            p["name"],
            p.get("description", ""),
            p["audio_id"],
            p["vox_audio_id"],
            p["vocal_start"],
            p["vocal_end"],
        )
    if task.action == Action.VOICE:
        return provider.create_voice(p["name"], p.get("description", ""), p["audio_url"])
    return getattr(provider, task.action)(p["audio_id"])  # timing, wav, mp4, midi


def submit(task_id):
    """Send a queued task upstream once; an unclear answer leaves it unconfirmed."""
    now = timezone.now()
    claimed = Task.objects.filter(pk=task_id, state=TaskState.QUEUED).update(
        state=TaskState.SUBMITTING,
        submit_attempts=F("submit_attempts") + 1,
        submitted_at=now,
        updated_at=now,
    )
    if not claimed:
        log.info("task %s is not queued any more; not sending it again", task_id)
        return
    events.record(task_id, TaskState.SUBMITTING)
    task = Task.objects.select_related("account").get(pk=task_id)
    provider = upstream.get_provider(task.account)
    side = task.action in SIDE_ACTIONS
    link_token = ""
    if task.params.get("upload_id"):
        # A member's file: a fresh signed link, made now so that it is valid when sent.
        upload = uploads.task_upload(task)
        if upload is None:
            message = Reason(
                gettext_noop("The uploaded file is no longer in the studio; upload it again.")
            )
            fail(task_id, message, "upload_missing", not_charged=True)
            return
        link_token = uploads.link_token(upload)
        task.params = {**task.params, "audio_url": uploads.public_link(upload, link_token)}
    lent = []
    if task.params.get("reference_songs"):
        # The team's songs an inspo song starts from: fresh signed links, as for uploads.
        try:
            urls, lent = references.lend(task)
        except references.ReferenceMissing:
            message = Reason(
                gettext_noop("A reference song is no longer in the studio; pick the songs again.")
            )
            fail(task_id, message, "reference_missing", not_charged=True)
            return
        task.params = {**task.params, "audio_urls": urls}
    request = SongRequest.from_params(task.params)
    token = secrets.token_urlsafe(24)
    url = "" if side else callback_url(task, token, provider)
    # What really goes on the wire, as the provider layer describes it (a GET has no body).
    payload = redact(provider.describe_request(task.action, task.params, url), token)
    if link_token:
        # The task page shows the request; the link's token stays out of the database.
        payload = {
            k: v.replace(link_token, SECRET_MARK) if isinstance(v, str) else v
            for k, v in payload.items()
        }
    if lent:
        payload = references.hide(payload, lent)
    Task.objects.filter(pk=task_id).update(
        callback_token_hash=hash_token(token) if url else "", request_payload=payload
    )

    for attempt, delay in enumerate((*timing.RETRY_DELAYS, None)):
        try:
            answer = call_side(provider, task) if side else provider.submit(request, url)
            break
        except UpstreamError as exc:
            if exc.safe_to_retry and delay is not None:
                log.info("task %s: %s; trying again (attempt %s)", task_id, exc, attempt + 2)
                sleep(delay)
                continue
            if exc.accepted and not exc.permanent:
                mark_unconfirmed(task_id, exc)
            else:
                fail(task_id, exc.reason, exc.code, raw=exc.raw, not_charged=not exc.accepted)
            return
    if side:
        apply_side_result(task_id, answer)
        return
    confirm(task_id, answer.upstream_id, raw=answer.raw)
    if answer.result is not None:
        apply_result(task_id, answer.result)


def mark_unconfirmed(task_id, exc):
    """The provider may have taken the request: never send it again; look for it instead."""
    note = Reason(
        gettext_noop(
            "%(reason)s The provider may have received the request, so it was not sent again; "
            "the studio is checking with the provider."
        ),
        reason=exc.reason,
    )
    now = timezone.now()
    moved = Task.objects.filter(pk=task_id, state=TaskState.SUBMITTING).update(
        state=TaskState.UNCONFIRMED,
        error_code=exc.code[:50],
        **reasons.stored(note),
        next_poll_at=now + timing.FIRST_POLL_AFTER,
        updated_at=now,
    )
    if moved:
        events.record(task_id, TaskState.UNCONFIRMED, exc.code, exc.reason)


def confirm(task_id, upstream_id, *, raw=None, via=""):
    """The provider has the job: record its id. From `submitting` or `unconfirmed` the task
    goes on to `submitted`; a task failed for want of an answer keeps its state but is
    followed again, so a late result can still land. Returns whether anything changed."""
    now = timezone.now()
    fields = {"upstream_id": upstream_id[:100], "updated_at": now, "next_poll_at": now}
    if raw is not None:
        fields["response"] = raw
    try:
        with transaction.atomic():
            moved = Task.objects.filter(
                pk=task_id, state__in=[TaskState.SUBMITTING, TaskState.UNCONFIRMED], upstream_id=""
            ).update(
                state=TaskState.SUBMITTED,
                **reasons.stored(None),
                error_code="",
                **{**fields, "next_poll_at": now + timing.FIRST_POLL_AFTER},
            )
            if moved:
                events.record(task_id, TaskState.SUBMITTED, via)
                return True
            late = Task.objects.filter(
                pk=task_id, state=TaskState.FAILED, upstream_id="", late_until__gt=now
            ).update(**fields)
            if late:
                events.record(task_id, TaskState.FAILED, via or "found", upstream_id)
            return bool(late)
    except IntegrityError:
        log.error(
            "task %s: job %s is already another task's; not adopting it", task_id, upstream_id
        )
        return False
