"""The poller (`manage.py run_poller`): poll passes as soon as work falls due, no queue worker
held. It sleeps until the earliest `next_poll_at` of the watched tasks (or a saving song's
archive work), looking again at least every second with one indexed query, so a submit that
sets `next_poll_at` wakes it within a second. Any number may run: each account's pass is
leased (`leases`), each archive re-send claimed (`archiving.dispatch_due`).
"""

import logging
import time

from django.db import close_old_connections
from django.utils import timezone

from music.services.tasks import archiving, polling, timing

log = logging.getLogger(__name__)

MIN_PAUSE = 0.2  # seconds between two cycles, even with work due at once


class Poller:
    def __init__(self, check=timing.POLLER_CHECK_SECONDS, sleep=time.sleep):
        self.check = check
        self.sleep = sleep

    def run(self, stopped):
        """Cycle until `stopped()` says so."""
        while not stopped():
            done = 0
            try:
                close_old_connections()  # a long-lived process: drop broken or old ones
                done = self.cycle()
            except Exception:  # the database restarting must not end the poller
                log.exception("poll cycle failed")
            # Work still due after a cycle that did nothing is another poller's (its lease):
            # look again in a second rather than at once.
            self.wait(stopped, first_pause=MIN_PAUSE if done else self.check)

    def cycle(self):
        """Re-send archive jobs that are due, then one poll pass. Returns how much was done."""
        return archiving.dispatch_due() + polling.poll_due()

    def seconds_until_due(self):
        """Seconds until the earliest due work (<= 0: due now), or None when there is none."""
        times = [t for t in (polling.next_due(), archiving.next_due()) if t is not None]
        if not times:
            return None
        return (min(times) - timezone.now()).total_seconds()

    def wait(self, stopped, first_pause=MIN_PAUSE):
        """Sleep until work is due, looking again every `check` seconds (the first pause at
        least `first_pause`). Returns True when woken by due work, False when stopped."""
        least = first_pause
        while not stopped():
            until = self.seconds_until_due()
            if until is not None and until <= 0 and least is None:
                return True
            pause = self.check if until is None else min(self.check, until)
            self.sleep(max(least or MIN_PAUSE, pause))
            least = None
        return False
