"""Queue entry points (django-q2). Each takes ids, not objects, and is safe to run twice."""

import logging
import time

from music.models import POLLED_TASK_STATES, Task, TaskState
from music.services import tasks as lifecycle

log = logging.getLogger(__name__)

TICK_SECONDS = 50  # a tick runs a little under the scheduler's one-minute period
TICK_PAUSE = 2.0


def submit_task(task_id):
    lifecycle.submit(task_id)


def refresh_task(task_id):
    lifecycle.refresh(task_id)


def tick(seconds=TICK_SECONDS, pause=TICK_PAUSE):
    """The scheduled fallback: sweep, then poll due tasks every few seconds for a minute.

    django-q2's scheduler fires about every 30 s at best, too slow for live progress, so
    one scheduled run keeps polling while work is in flight. Overlapping ticks are harmless:
    each task is claimed by one tick at a time.
    """
    counts = lifecycle.sweep()
    if any(counts.values()):
        log.info("sweep: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    deadline = time.monotonic() + seconds
    polled = 0
    while True:
        polled += lifecycle.poll_due()
        if time.monotonic() + pause > deadline:
            break
        if not Task.objects.filter(state__in=[*POLLED_TASK_STATES, TaskState.UNCONFIRMED]).exists():
            break
        time.sleep(pause)
    return polled
