"""Poll providers as soon as work falls due (started by `run_studio` on the queue side)."""

import signal

from django.core.management.base import BaseCommand

from music.services.tasks.poller import Poller


class Command(BaseCommand):
    help = (
        "Poll providers every few seconds while work is in flight, and re-send archive jobs "
        "that are due. Any number may run (each account's poll pass is leased in the database)."
    )

    def handle(self, *args, **options):
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Poller running (Ctrl-C stops it)")
        self.stdout.flush()
        Poller().run(lambda: bool(stopping))
        self.stdout.write("Poller stopped.")
