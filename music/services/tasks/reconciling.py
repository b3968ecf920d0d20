"""Reconciling requests whose answer was lost: find them in the provider's own records.

A task is `unconfirmed` when the provider may have taken it without our hearing back (a
time-out, a 5xx after acceptance, garbage, a worker killed mid-send). It is never sent
again. A callback that names the job adopts it (`callbacks`); otherwise the provider's
records are searched (SunoHub lists a key's tasks with the request each was sent, whose
callback URL names our task). A task failed for want of an answer is searched for too,
slowly, for the grace period.
"""

import logging

from music.models import Task
from music.services.tasks.applying import apply_result
from music.services.tasks.sending import confirm
from music.services.tasks.side_results import apply_side_result
from music.upstream.base import SentRequest, UpstreamError

log = logging.getLogger(__name__)


def reconcile(provider, task_ids):
    """Look for these tasks' requests at the provider and adopt what is found."""
    tasks = list(
        Task.objects.filter(pk__in=task_ids, upstream_id="")
        .exclude(request_payload=None)
        .only("pk", "action", "request_payload", "submitted_at", "created_at")
    )
    sent = [
        SentRequest(
            key=str(task.pk),
            action=task.action,
            payload=task.request_payload,
            sent_at=(task.submitted_at or task.created_at).timestamp(),
        )
        for task in tasks
    ]
    if not sent:
        return 0
    try:
        found = provider.find_sent(sent)
    except UpstreamError as exc:
        log.warning("looking up %s unconfirmed tasks failed: %s", len(sent), exc)
        return 0
    adopted = 0
    for task in tasks:
        hit = found.get(str(task.pk))
        if hit is None:
            continue
        try:
            adopt(task.pk, hit)
            adopted += 1
        except Exception:
            log.exception("could not adopt the job found for task %s", task.pk)
    return adopted


def adopt(task_id, found):
    if found.side is not None:
        apply_side_result(task_id, found.side)
        return
    if found.result is None or not found.upstream_id:
        return
    confirm(task_id, found.upstream_id, via="found")
    apply_result(task_id, found.result)
