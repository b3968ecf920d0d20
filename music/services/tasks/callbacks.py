"""The provider's callbacks: a hint, authenticated by a per-task secret, never the truth."""

import hashlib
import hmac
import logging

from django.db.models import Q
from django.utils import timezone

from music import upstream
from music.models import TERMINAL_TASK_STATES, Task
from music.services.tasks import timing
from music.upstream.base import UpstreamError

log = logging.getLogger(__name__)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def accept_callback(task_id, token, body):
    """Check a callback's secret; adopt the job it names if we never heard back, and queue
    one refresh. Returns False for a bad or expired secret. Replays change nothing."""
    task = (
        Task.objects.filter(pk=task_id)
        .select_related("account")
        .only(
            "callback_token_hash",
            "upstream_id",
            "state",
            "finished_at",
            "late_until",
            "account",
        )
        .first()
    )
    if task is None or not task.callback_token_hash:
        return False
    if not hmac.compare_digest(task.callback_token_hash, hash_token(token)):
        return False
    now = timezone.now()
    if task.state in TERMINAL_TASK_STATES and not task.is_watched_late:
        # A finished task's secret lasts the grace period (a replay is harmless), then dies.
        return bool(task.finished_at and task.finished_at > now - timing.late_grace())
    try:
        upstream_id = upstream.get_provider(task.account).parse_callback(body)
    except UpstreamError:
        upstream_id = ""
    if task.upstream_id:
        if upstream_id and upstream_id != task.upstream_id:
            log.warning("callback for task %s names job %s; ignoring it", task_id, upstream_id)
            return True
    elif upstream_id:
        from music.services.tasks.sending import confirm

        # We never heard back from the submit: the callback names the job, adopt it.
        confirm(task.pk, upstream_id, via="callback")
    else:
        return True
    fresh = (
        Task.objects.filter(pk=task.pk)
        .filter(Q(callback_at__isnull=True) | Q(callback_at__lt=now - timing.CALLBACK_DEBOUNCE))
        .update(callback_at=now)
    )
    if fresh:
        from django_q.tasks import async_task

        async_task(
            "music.tasks.refresh_task",
            str(task_id),
            task_name=f"refresh-{task_id}",
            group="refresh",
        )
    return True
