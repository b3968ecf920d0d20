"""An offline upstream that speaks SunoHub's and the relay's wire formats over real HTTP (WSGI).

Jobs progress by the clock: `pending` for `queued_seconds`, `running` for `running_seconds`,
then `succeeded` with real audio and cover art rendered from the request. State lives in a
small SQLite file so the web server, the queue workers and a standalone simulator process
all see the same jobs. Fault knobs drive the reliability tests: `Faults` (engine; exact,
one-shot knobs for unit tests) and the seeded, rate-based `FaultPlan` of `faults` (for the
fault benchmark), with its HTTP control endpoints when built with `control=True`.

Layout: `engine` (a package: jobs, clips, specs, orders, side calls, rendering; format-neutral),
`sunohub_wire` (SunoHub's routes, request parsing and JSON answers), `relay_wire` (the same for
new-api-style relay gateways), `media` (PCM files, encoders, ffmpeg), `audio` and `artwork`
(synthesis), `words` (invented titles, lyrics and styles). This module is the WSGI entry point
that ties the wire formats to the engine; both are served at once, on disjoint paths.
"""

import functools
import json
import logging
import queue
import threading
import time

import httpx

from music.upstream.simulator.engine import (  # noqa: F401  (re-exported for callers)
    AUDIO_ACTIONS,
    ApiError,
    Engine,
    Faults,
    Order,
)
from music.upstream.simulator.faults import CONTROL_PREFIX, FaultLayer, FaultPlan
from music.upstream.simulator.relay_wire import RelayWire
from music.upstream.simulator.sunohub_wire import SunoHubWire
from music.upstream.simulator.words import (  # noqa: F401  (re-exported for callers)
    COPYRIGHTED,
    boost_style,
    invent_lyric,
    invent_style,
    invent_title,
)

log = logging.getLogger(__name__)


class BackgroundRenders:
    """Renders ahead of need, on daemon threads. Unlike an executor's, whose threads are
    joined at exit, they never hold up a stop signal: a render cut short is done again by
    the request that needs it."""

    def __init__(self, workers):
        self.workers = workers
        self.jobs = queue.SimpleQueue()
        for n in range(workers):
            threading.Thread(target=self._work, name=f"prerender-{n}", daemon=True).start()

    def submit(self, fn, *args):
        self.jobs.put((fn, args))

    def shutdown(self):
        """Drop the renders not begun yet and let the workers end."""
        while True:
            try:
                self.jobs.get_nowait()
            except queue.Empty:
                break
        for _ in range(self.workers):
            self.jobs.put(None)

    def _work(self):
        while (job := self.jobs.get()) is not None:
            fn, args = job
            fn(*args)


class Simulator(Engine):
    """The engine served over WSGI in SunoHub's and the relay's formats, with auth, faults and
    callbacks."""

    def __init__(
        self,
        state_dir,
        *,
        base_url="http://simulator.local",
        api_key="",
        queued_seconds=2.0,
        running_seconds=6.0,
        max_duration=150.0,
        send_callbacks=True,
        clock=time.time,
        control=False,
        fault_plan=None,
        prerender=False,
    ):
        super().__init__(
            state_dir,
            base_url=base_url,
            queued_seconds=queued_seconds,
            running_seconds=running_seconds,
            max_duration=max_duration,
            clock=clock,
        )
        self.api_key = api_key
        self.send_callbacks = send_callbacks
        self.requests = []  # (method, path) of every request, for tests and benchmarks
        self.sunohub = SunoHubWire(self)
        self.relay = RelayWire(self)
        # Wire formats in the order they are asked to claim a request; the first one also
        # shapes errors for paths nobody claims (and for media).
        self.wires = [self.sunohub, self.relay]
        # Seeded faults by rate, and the ledger of paid calls; `/_simulator/*` only if control.
        self.fault_layer = FaultLayer(self, plan=fault_plan, control=control)
        # Like a real service, have a job's audio ready when it is done: render its clips in
        # the background while it is "queued" and "running", not in the first request that
        # finds it finished (a standalone server's choice; renders are the same either way).
        self.prerender = BackgroundRenders(workers=2) if prerender else None

    @property
    def fault_plan(self):
        return self.fault_layer.plan

    @fault_plan.setter
    def fault_plan(self, plan):
        self.fault_layer.plan = plan if isinstance(plan, FaultPlan) else FaultPlan.from_dict(plan)

    def _create_job(self, order_raw, specs, callback_url="", *, instant=False):
        job_id, clip_ids = super()._create_job(order_raw, specs, callback_url, instant=instant)
        self.fault_layer.note_job(job_id)  # which call made it, for the ledger
        if self.prerender is not None and not instant:
            for clip_id in clip_ids:
                self.prerender.submit(self._prerender, clip_id)
        return job_id, clip_ids

    def _prerender(self, clip_id):
        try:
            row = self._clip(clip_id)
            if row is not None and self.spec(row)["kind"] != "upload":
                self.ensure_rendered(row)
        except Exception:  # the request that needs it renders it (and reports the error)
            log.exception("pre-rendering clip %s failed", clip_id)

    # --- WSGI -----------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        self.requests.append((method, path))
        if self.faults.delay:
            time.sleep(self.faults.delay)
        wire, handler = self.find(method, path)
        if path.startswith(CONTROL_PREFIX):
            status, headers, body = self.fault_layer.control(environ, method, path, wire)
        else:
            answer = functools.partial(self.answer, environ, method, path, wire, handler)
            status, headers, body = self.fault_layer.serve(environ, method, path, wire, answer)
        start_response(status, headers)
        return [body]

    def answer(self, environ, method, path, wire, handler):
        """(status, headers, body) of the real handling, errors shaped by the wire format."""
        try:
            return self.route(environ, method, path, handler)
        except ApiError as exc:
            return self.error(exc.status, exc.code, exc.message, wire)
        except Exception:  # a real server answers 500 rather than dropping the connection
            log.exception("simulator error on %s %s", method, path)
            return self.error(500, "api_error", "Internal simulator error.", wire)

    def find(self, method, path):
        """(wire, handler) for a request; handler is None when no wire claims it."""
        for wire in self.wires:
            handler = wire.match(method, path)
            if handler is not None:
                return wire, handler
        return self.wires[0], None

    def route(self, environ, method, path, handler=None):
        if method == "GET" and path.startswith("/media/"):
            content_type, data = self.media(path.removeprefix("/media/"))
            return "200 OK", [("Content-Type", content_type)], data
        if handler is None and method != "POST":
            raise ApiError(405, "method_not_allowed", "Use POST.")
        if self.api_key and environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.api_key}":
            raise ApiError(401, "invalid_token", "Invalid or missing API token.")
        if self.faults.next_errors:
            status, code, message = self.faults.next_errors.pop(0)
            raise ApiError(status, code, message)
        if self.faults.malformed:
            return "200 OK", [("Content-Type", "application/json")], b"<html>oops</html>"
        body = {}
        if method in ("POST", "DELETE"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            except (ValueError, UnicodeDecodeError) as exc:
                raise ApiError(400, "bad_request", "The body is not valid JSON.") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "bad_request", "The body must be a JSON object.")
        if handler is None:
            raise ApiError(404, "not_found", f"No such endpoint: {path}")
        answer = handler(body)
        if self.faults.after_errors:
            status, code, message = self.faults.after_errors.pop(0)
            raise ApiError(status, code, message)
        if self.faults.after_delay:
            time.sleep(self.faults.after_delay)
        return self.json(answer)

    def json(self, payload, status="200 OK"):
        return (
            status,
            [("Content-Type", "application/json")],
            json.dumps(payload, ensure_ascii=False).encode(),
        )

    def error(self, status, code, message, wire=None):
        status_line, payload = (wire or self.wires[0]).error(status, code, message)
        return self.json(payload, status_line)

    # --- callbacks ------------------------------------------------------------------
    def callback_body(self, job_id):
        return self.sunohub.callback_body(job_id)

    def schedule_callback(self, job_id, url, body=None):
        """POST the finished job to `url` once it is done (`body(job_id)` shapes it)."""
        if not self.send_callbacks:
            return
        delay = self.queued_seconds + self.running_seconds + 0.5
        make_body = body or self.callback_body

        def post():
            from music.upstream import netguard

            # The caller chose this URL: through the outbound guard, so a callback cannot
            # make the simulator reach this server's own network (the studio's public URL,
            # where callbacks belong, excepted).
            policy = netguard.callback_policy(deadline=10)
            body, poisoned = self.fault_layer.callback_payload(make_body(job_id))
            try:
                if poisoned is None:
                    netguard.request(
                        "POST",
                        url,
                        json=body,
                        policy=policy,
                        follow_redirects=False,
                        read_body=False,
                    )
                else:
                    netguard.check_url(url, policy)
                    headers = {"Content-Type": "application/json"}
                    httpx.post(url, content=poisoned, headers=headers, timeout=10)
            except (netguard.OutboundError, httpx.HTTPError) as exc:
                log.info("simulator callback to %s failed: %s", url, exc)

        # The plan decides now, as the provider's queue would: lost, sent once, or twice.
        deliveries = self.fault_layer.callback_deliveries()

        def fire():
            if self.faults.lose_callbacks:
                return
            if deliveries:
                post()
            if deliveries > 1:
                later(1.0, post)

        later(delay, fire)

    # --- kept for callers of the single-module simulator ----------------------------
    def audios_answer(self, job_id):
        return self.sunohub.audios_answer(job_id)

    def task_record(self, job_id):
        return self.sunohub.task_record(job_id)


def later(delay, fn):
    """Run `fn` in `delay` seconds on a daemon timer thread."""
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    timer.start()
