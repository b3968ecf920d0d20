"""Repairing what crashes and lost messages leave behind (run by every tick)."""

import logging

from django.utils import timezone
from django.utils.translation import gettext_noop

from music import reasons
from music.models import Task, TaskState
from music.reasons import Reason
from music.services import trash
from music.services.tasks import archiving, events, timing
from music.services.tasks.applying import fail
from music.services.tasks.starting import enqueue_submit

log = logging.getLogger(__name__)


def sweep(now=None):
    """Re-send lost queue messages (submits, and archive jobs that are due or died), hand
    dead sends to reconciliation, end what can never be sent. Returns counts for the log."""
    now = now or timezone.now()
    counts = {"resent": 0, "unconfirmed": 0, "expired": 0}
    counts["archives"] = archiving.dispatch_due(now)
    counts["trash_purged"] = trash.purge_expired(now)
    queued = Task.objects.filter(state=TaskState.QUEUED)
    for pk in queued.filter(deadline_at__lt=now).values_list("pk", flat=True)[:200]:
        fail(
            pk,
            Reason(
                gettext_noop("The studio could not send this request within %(minutes)s minutes."),
                minutes=timing.deadline_minutes(),
            ),
            "not_sent",
            not_charged=True,
        )
        counts["expired"] += 1
    lost = queued.filter(created_at__lt=now - timing.LOST_MESSAGE_AFTER)
    for pk in lost.values_list("pk", flat=True)[:200]:
        enqueue_submit(pk)  # harmless if the first message is still coming: submit claims once
        counts["resent"] += 1
    # A send that outlived every time-out died with its worker: it may have reached the
    # provider, so it is never sent again, only looked for.
    stale = Task.objects.filter(
        state=TaskState.SUBMITTING, upstream_id="", submitted_at__lt=now - timing.stale_submit()
    )
    note = Reason(
        gettext_noop(
            "The studio stopped while sending this request. It may have reached the provider, "
            "so it was not sent again; the studio is checking with the provider."
        )
    )
    for pk in stale.values_list("pk", flat=True)[:200]:
        moved = Task.objects.filter(pk=pk, state=TaskState.SUBMITTING, upstream_id="").update(
            state=TaskState.UNCONFIRMED,
            error_code="lost_submit",
            **reasons.stored(note),
            next_poll_at=now,
        )
        if moved:
            events.record(pk, TaskState.UNCONFIRMED, "lost_submit", note)
            counts["unconfirmed"] += 1
    return counts
