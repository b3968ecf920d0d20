"""Run the studio: gunicorn web workers, the django-q2 cluster and the poller, stopped together."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE = 20  # seconds each child has to stop before it is killed
WATCH_EVERY = 10  # seconds between two looks at whether the queue cluster still takes work


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn, or runserver with --dev) and the django-q2 cluster "
        "together. Ctrl-C or SIGTERM stops every child process."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--dev", action="store_true", help="Django's runserver instead.")
        parser.add_argument("--no-queue", action="store_true", help="Only the web server.")
        parser.add_argument(
            "--no-web", action="store_true", help="Only the queue side (workers and poller)."
        )

    def handle(self, *args, addrport, workers, dev, no_queue, no_web, **options):
        if ":" not in addrport:
            addrport = f"127.0.0.1:{addrport}"
        children = []
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            if no_queue and no_web:
                raise CommandError("--no-queue and --no-web together leave nothing to run.")
            if not no_queue:
                children.extend(queue_children())
            if not no_web:
                children.append(spawn("web", web_command(addrport, workers, dev)))
                self.stdout.write(
                    self.style.SUCCESS(f"Studio on http://{addrport}/  (Ctrl-C stops it)")
                )
            else:
                self.stdout.write(self.style.SUCCESS("Queue workers running (Ctrl-C stops them)"))
            self.stdout.flush()
            watch = QueueWatch() if not no_queue else None
            while not stopping:
                for name, process in children:
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} process ended (exit {process.returncode}).")
                        stopping.append(name)
                if watch is not None and watch.due() and watch.wedged(fresh=True):
                    self.stderr.write(
                        "The queue cluster stopped taking work (a worker was killed while "
                        "waiting for one); restarting it."
                    )
                    children = restart_queue(children)
                    watch.restarted()
                time.sleep(0.5)
        finally:
            stop_all([process for _name, process in children])
            self.stdout.write("Stopped the web server and the queue workers.")


def queue_children():
    """Everything the queue side runs: the django-q2 cluster, and the poller that looks at
    work in flight every few seconds (no queue worker is held for it)."""
    return [
        spawn("queue", [sys.executable, "manage.py", "qcluster"]),
        spawn("poller", [sys.executable, "manage.py", "run_poller"]),
    ]


def restart_queue(children):
    out = []
    for name, process in children:
        if name == "queue":
            stop_all([process], grace=5)
            out.append(spawn("queue", [sys.executable, "manage.py", "qcluster"]))
        else:
            out.append((name, process))
    return out


class QueueWatch:
    """Notices a django-q2 cluster that looks alive but takes no work.

    A worker SIGKILLed (the OOM killer, an operator) while it waits for a message dies
    holding the cluster's queue read lock, a process-shared semaphore nobody gives back:
    every worker then waits forever. Seen from outside: messages wait, and nothing has
    finished for longer than any job may run (the cluster's `timeout`), since it started.
    """

    def __init__(self):
        self.started = time.time()
        self.next_look = time.monotonic() + WATCH_EVERY

    def due(self):
        if time.monotonic() < self.next_look:
            return False
        self.next_look = time.monotonic() + WATCH_EVERY
        return True

    def restarted(self):
        self.started = time.time()

    def wedged(self, fresh=False):
        from django_q.brokers import get_broker
        from django_q.conf import Conf
        from django_q.models import Task as Result

        if fresh:  # a long-lived process: drop a broken or old database connection
            from django.db import close_old_connections

            close_old_connections()
        try:
            if not get_broker().queue_size():
                return False
            last = Result.objects.order_by("-stopped").values_list("stopped", flat=True).first()
        except Exception:  # the database or the broker is down: not the cluster's fault
            return False
        since = max(self.started, last.timestamp() if last else 0)
        return time.time() - since > (Conf.TIMEOUT or 270) + 30


def web_command(addrport, workers, dev):
    if dev:
        return [sys.executable, "manage.py", "runserver", addrport, "--noreload"]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(settings.BASE_DIR / "studio" / "gunicorn.conf.py"),
        "--bind",
        addrport,
        "--workers",
        str(workers),
    ]


def spawn(name, command):
    # Each child leads its own process group, so stopping it reaches its own children too
    # (gunicorn's workers, the cluster's sentinel, pusher, monitor and workers).
    return name, subprocess.Popen(command, start_new_session=True)


def signal_group(process, sig):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def stop_all(processes, grace=STOP_GRACE):
    """SIGTERM to every child's group at once, a shared grace period, then SIGKILL to what is
    left, grandchildren included (a queue worker busy with a poll tick may not stop at once;
    nothing it does is lost: the task rows are the truth)."""
    for process in processes:
        if process.poll() is None:
            signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        signal_group(process, signal.SIGKILL)
        process.wait()
