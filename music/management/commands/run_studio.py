import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the django-q2 cluster together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"])
        self.stdout.write(f"Queue workers started (pid {cluster.pid}).")
        self.stdout.write(self.style.SUCCESS(f"Studio on http://{addrport}/  (Ctrl-C stops it)"))
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            if cluster.poll() is None:
                cluster.send_signal(signal.SIGTERM)
                try:
                    cluster.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    cluster.kill()
            self.stdout.write("Stopped the web server and the queue workers.")
