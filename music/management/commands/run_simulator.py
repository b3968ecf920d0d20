import json
import signal
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from music.upstream.simulator.app import Simulator
from music.upstream.simulator.faults import FaultPlan
from music.upstream.simulator.relay_wire import PROFILES


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class Command(BaseCommand):
    help = (
        "Run the upstream simulator as a standalone HTTP server, so the studio can be "
        "pointed at it by URL like at a real provider (SUNO_BASE_URL, SUNO_API_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--api-key", default="", help="Require this bearer token.")
        parser.add_argument(
            "--queued-seconds", type=float, default=settings.SIMULATOR["queued_seconds"]
        )
        parser.add_argument(
            "--running-seconds", type=float, default=settings.SIMULATOR["running_seconds"]
        )
        parser.add_argument("--state", default=settings.SIMULATOR["state_path"] + "-standalone")
        parser.add_argument(
            "--control",
            action="store_true",
            help="Serve POST /_simulator/faults (set the fault plan) and GET /_simulator/ledger "
            "(every job it was paid for), for the fault benchmark. Off by default.",
        )
        parser.add_argument(
            "--faults",
            default="",
            help="A fault plan to start with, as JSON: rates per kind in [0, 1] "
            '(e.g. \'{"rate": 0.2, "seed": 1}\'; see music/upstream/simulator/faults/).',
        )
        parser.add_argument(
            "--no-prerender",
            action="store_true",
            help="Render a job's audio when it is first asked for after it is done, instead "
            "of in the background while it runs.",
        )
        parser.add_argument(
            "--relay-profile",
            choices=sorted(PROFILES),
            default="full",
            help="Which kind of relay seller to answer as (see relay_wire.PROFILES).",
        )

    def handle(
        self,
        *args,
        host,
        port,
        api_key,
        queued_seconds,
        running_seconds,
        state,
        control,
        faults,
        relay_profile,
        no_prerender,
        **options,
    ):
        try:
            plan = FaultPlan.from_dict(json.loads(faults)) if faults else None
        except ValueError as exc:
            raise CommandError(f"--faults: {exc}") from exc
        base_url = f"http://{host}:{port}"
        simulator = Simulator(
            state,
            base_url=base_url,
            api_key=api_key,
            queued_seconds=queued_seconds,
            running_seconds=running_seconds,
            max_duration=settings.SIMULATOR["max_duration"],
            control=control,
            fault_plan=plan,
            prerender=not no_prerender,
        )
        simulator.relay.use_profile(relay_profile)
        server = make_server(
            host, port, simulator, server_class=ThreadingWSGIServer, handler_class=QuietHandler
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulator speaking SunoHub's format on {base_url}  (Ctrl-C stops it)\n"
                f"Point the studio at it: SUNO_BASE_URL={base_url} SUNO_API_KEY={api_key or 'any'}"
            )
        )
        if control:
            self.stdout.write(f"Control endpoints on: {base_url}/_simulator/faults, /ledger")
        if plan is not None and plan.active:
            self.stdout.write(f"Fault plan: {json.dumps(plan.to_dict())}")
        # A service manager's SIGTERM stops it like Ctrl-C: the port closed, exit status 0.
        # SIGINT is set here too, not left to Python's default, which a parent that started
        # it with SIGINT ignored would have turned off.
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            if simulator.prerender is not None:
                simulator.prerender.shutdown()


def interrupt(signum, frame):
    raise KeyboardInterrupt
