"""Following tasks: one batch request per provider account for everything due, a last look
before any deadline, and a slow watch of tasks that failed for want of an answer."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from music import reasons, upstream
from music.models import POLLED_TASK_STATES, ProviderAccount, Song, Task, TaskState
from music.reasons import Reason
from music.services.tasks import leases, reconciling, timing
from music.services.tasks.applying import apply_result, fail
from music.upstream.base import UpstreamError

log = logging.getLogger(__name__)

# What a poll pass looks at: jobs being made, requests awaiting confirmation, late watches.
WATCHED = Q(state__in=[*POLLED_TASK_STATES, TaskState.UNCONFIRMED]) | Q(
    state=TaskState.FAILED, late_until__isnull=False
)
FIELDS = (
    "pk",
    "upstream_id",
    "polls",
    "deadline_at",
    "account_id",
    "state",
    "missing_polls",
    "missing_since",
)


def poll_interval(polls):
    return timing.poll_interval(polls)


ANY = object()


def due_filter(now):
    """Watched tasks due for a look by `now` (a little ahead: one request, not several)."""
    return (
        Task.objects.filter(WATCHED, next_poll_at__lte=now + timing.POLL_COALESCE)
        .exclude(state=TaskState.FAILED, late_until__lte=now)
        .order_by()
    )


def claim_due(now, limit=500, account_id=ANY):
    """Claim tasks due for a look, so an overlapping pass leaves them alone."""
    due = due_filter(now)
    if account_id is not ANY:
        due = due.filter(account_id=account_id) if account_id else due.filter(account=None)
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_poll_at")
            .values_list(*FIELDS)[:limit]
        )
        if rows:
            Task.objects.filter(pk__in=[row[0] for row in rows]).update(
                next_poll_at=now + timing.POLL_LEASE
            )
    return [dict(zip(FIELDS, row, strict=True)) for row in rows]


def next_due():
    """When the earliest watched task is next due for a look, or None (one indexed query)."""
    return (
        Task.objects.filter(WATCHED, next_poll_at__isnull=False)
        .exclude(state=TaskState.FAILED, late_until__lte=timezone.now())
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )


def poll_due(limit=500):
    """One poll pass: every due task, one batch request (or listing) per provider account.

    Each account is polled under its lease (`leases`): a pass another process is running
    for the same account is left to it.
    """
    now = timezone.now()
    account_ids = list(due_filter(now).values_list("account_id", flat=True).distinct())
    accounts = ProviderAccount.objects.in_bulk([a for a in account_ids if a is not None])
    polled = 0
    for account_id in account_ids:
        with leases.held(leases.key_of(account_id)) as ours:
            if not ours:
                continue
            rows = claim_due(now, limit, account_id)
            if not rows:
                continue
            polled += len(rows)
            try:
                poll_group(accounts.get(account_id), rows, now)
            except Exception:  # one account's trouble must not stop the others
                log.exception("poll of %s tasks of account %s failed", len(rows), account_id)
    return polled


def next_look(row, now, polls):
    """When to look at a task again: backing off, never past its deadline (the last look
    must happen on time); slowly once it failed and is only watched."""
    if row["state"] == TaskState.FAILED:
        return now + timing.late_poll()
    when = now + poll_interval(polls)
    deadline = row["deadline_at"]
    return min(when, deadline) if deadline and deadline > now else when


def poll_group(account, rows, now):
    """Look at one account's due tasks and apply what changed, each task on its own."""
    provider = upstream.get_provider(account)
    fetchable = [r for r in rows if r["upstream_id"]]
    unknown = [r for r in rows if not r["upstream_id"]]
    results, error = {}, None
    if fetchable:
        try:
            results = provider.fetch([r["upstream_id"] for r in fetchable])
        except UpstreamError as exc:
            log.warning("poll of %s tasks failed: %s", len(fetchable), exc)
            error = exc
    lost = []
    for row in rows:
        update = {"polls": row["polls"] + 1, "next_poll_at": next_look(row, now, row["polls"] + 1)}
        if error is not None and row["upstream_id"] and row["state"] != TaskState.FAILED:
            update.update(
                reasons.stored(
                    Reason(gettext_noop("Last check failed: %(reason)s"), reason=error.reason)
                )
            )
        if error is None and row["upstream_id"] and row["state"] in POLLED_TASK_STATES:
            update.update(count_missing(row, results, now))
            if is_lost(update, now):
                lost.append(row["pk"])
        Task.objects.filter(pk=row["pk"]).update(**update)

    # Load every task and known clip of the pass at once: most polls change nothing.
    loaded = Task.objects.select_related("source_song", "account").in_bulk(
        [r["pk"] for r in fetchable]
    )
    clip_ids = [c.id for r in results.values() for c in r.clips]
    known = {s.upstream_id: s for s in Song.objects.filter(upstream_id__in=clip_ids)}
    for row in fetchable:
        result = results.get(row["upstream_id"])
        if result is not None and row["pk"] in loaded:
            apply_safely(row["pk"], result, task=loaded[row["pk"]], known=known)
    if unknown:
        reconciling.reconcile(provider, [r["pk"] for r in unknown])
    fail_lost(lost)
    expire_overdue([r for r in rows if r["deadline_at"] and r["deadline_at"] <= now])


def count_missing(row, results, now):
    """Consecutive answers without this job (a confirmed one: unconfirmed tasks have no id
    to miss and are reconciled instead); any answer with it starts the count again."""
    if row["upstream_id"] in results:
        if not row["missing_polls"]:
            return {}
        return {"missing_polls": 0, "missing_since": None, **reasons.stored(None)}
    return {
        "missing_polls": row["missing_polls"] + 1,
        "missing_since": row["missing_since"] or now,
        **reasons.stored(
            Reason(gettext_noop("The provider does not list this job (yet); checking again."))
        ),
    }


def is_lost(update, now):
    since = update.get("missing_since")
    return (
        update.get("missing_polls", 0) >= timing.LOST_AFTER_MISSES
        and since is not None
        and now - since >= timing.LOST_AFTER
    )


def fail_lost(task_ids):
    """The provider keeps saying it has no such job. It may still turn up (a provider's
    records can lag), so the task is watched for the grace period like any late one."""
    for pk in task_ids:
        fail(
            pk,
            Reason(
                gettext_noop(
                    "The provider says it has no such job. Check with the provider before "
                    "trying again; if the song was made after all, it still appears in the "
                    "library within a day."
                )
            ),
            "lost",
            late=True,
        )


def apply_safely(task_id, result, **preloaded):
    """Apply one task's result; a value we cannot store fails this update alone."""
    try:
        apply_result(task_id, result, **preloaded)
    except Exception as exc:
        log.exception("could not apply the result of task %s", task_id)
        Task.objects.filter(pk=task_id).update(
            **reasons.stored(
                Reason(
                    gettext_noop(
                        "The provider's latest answer could not be stored (%(kind)s); "
                        "checking again."
                    ),
                    kind=exc.__class__.__name__,
                )
            )
        )


def expire_overdue(rows):
    """Past their deadline after the last look: fail them, and keep watching for a day."""
    for row in rows:
        state = Task.objects.filter(pk=row["pk"]).values_list("state", flat=True).first()
        if state in (TaskState.SUBMITTED, TaskState.RUNNING):
            fail(
                row["pk"],
                Reason(
                    gettext_noop(
                        "The provider did not finish this within %(minutes)s minutes. The "
                        "studio keeps checking for a day: if the song arrives, it appears in "
                        "the library."
                    ),
                    minutes=timing.deadline_minutes(),
                ),
                "deadline",
                late=True,
            )
        elif state == TaskState.UNCONFIRMED:
            fail(
                row["pk"],
                Reason(
                    gettext_noop(
                        "The provider never confirmed this request, and it was not sent again. "
                        "Check with the provider before trying again; if the song was made, it "
                        "still appears in the library within a day."
                    )
                ),
                "no_trace",
                late=True,
            )


def refresh(task_id):
    """Fetch one task now (a callback arrived): the callback is a hint, the fetch the truth.

    Under the account's poll lease like a pass, so one status request per account is in
    flight at a time; when a pass holds it, the task is made due at once for the next pass
    (the poller looks again within a second) instead of asking beside it.
    """
    task = Task.objects.select_related("account").get(pk=task_id)
    if not task.upstream_id or not (task.state in POLLED_TASK_STATES or task.is_watched_late):
        return
    with leases.held(leases.key_of(task.account_id)) as ours:
        if not ours:
            Task.objects.filter(pk=task_id).update(next_poll_at=timezone.now())
            return
        try:
            results = upstream.get_provider(task.account).fetch([task.upstream_id])
        except UpstreamError as exc:
            log.warning("refresh of task %s failed: %s", task_id, exc)
            return
    if task.upstream_id in results:
        apply_safely(task_id, results[task.upstream_id])
