"""Queue entry points (django-q2). Each takes ids, not objects, and is safe to run twice."""

import logging

from music.services import tasks as lifecycle

log = logging.getLogger(__name__)


def submit_task(task_id):
    lifecycle.submit(task_id)


def refresh_task(task_id):
    lifecycle.refresh(task_id)


def archive_song(song_id):
    """Copy one finished clip's media into storage (enqueued once its song is `saving`)."""
    return lifecycle.archive(song_id)


def tick():
    """The scheduled fallback (every minute): sweep, then one poll pass.

    Live progress comes from `manage.py run_poller`, which polls within seconds; this keeps
    a studio without it (or with it stopped) going, at the scheduler's pace. Overlapping
    runs are harmless: each account's pass is leased, each task claimed.
    """
    counts = lifecycle.sweep()
    if any(counts.values()):
        log.info("sweep: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return lifecycle.poll_due()
