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

MIN_PAUSE = 0.2  # seconds: work another process is on stays "due" until it is done


class Poller:
    def __init__(self, check=timing.POLLER_CHECK_SECONDS, sleep=time.sleep):
        self.check = check
        self.sleep = sleep

    def run(self, stopped):
        """Cycle until `stopped()` says so."""
        while not stopped():
            try:
                close_old_connections()  # a long-lived process: drop broken or old ones
                self.cycle()
            except Exception:  # the database restarting must not end the poller
                log.exception("poll cycle failed")
                self.sleep(self.check)
            self.wait(stopped)

    def cycle(self):
        """Re-send archive jobs that are due, then one poll pass. Returns tasks polled."""
        archiving.dispatch_due()
        return polling.poll_due()

    def seconds_until_due(self):
        """Seconds until the earliest due work (<= 0: due now), or None when there is none."""
        times = [t for t in (polling.next_due(), archiving.next_due()) if t is not None]
        if not times:
            return None
        return (min(times) - timezone.now()).total_seconds()

    def wait(self, stopped):
        """Sleep until work is due, looking again every `check` seconds. Returns True when
        woken by due work, False when stopped."""
        slept = False
        while not stopped():
            until = self.seconds_until_due()
            if until is not None and until <= 0 and slept:
                return True
            pause = self.check if until is None else min(self.check, until)
            self.sleep(max(MIN_PAUSE, pause))
            slept = True
        return False
