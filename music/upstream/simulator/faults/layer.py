"""The fault layer: applies the plan to each request, callback and control call."""

import contextlib
import io
import json
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from music.upstream.simulator.faults.ledger import CallLedger, key_fingerprint
from music.upstream.simulator.faults.plan import (
    AFTER_ERRORS,
    BEFORE_ERRORS,
    EMPTY_PLAN,
    GARBAGE,
    MEDIA,
    POISONS,
    STATUS,
    SUBMIT,
    WORDS,
    FaultPlan,
    endpoint_class,
)
from music.upstream.simulator.faults.poison import clips_in, dumps, poison_clip


class FaultLayer(CallLedger):
    """Applies the simulator's current plan to each request and keeps the call ledger."""

    def __init__(self, sim, *, plan=None, control=False):
        super().__init__(sim)
        self.control_enabled = control
        self.plan = plan or FaultPlan()
        self.hits = Counter()  # faults injected by kind, since this process started
        self._hits_lock = threading.Lock()
        # Status requests in flight per API key, and the most ever at once: a studio runs one
        # poll pass per account at a time, however many queue processes it has.
        self._status_lock = threading.Lock()
        self._status_now = Counter()
        self._status_max = Counter()
        self._status_overlaps = Counter()  # per key: status requests that started on another

    def count(self, kind, n=1):
        with self._hits_lock:
            self.hits[kind] += n

    # --- serving ----------------------------------------------------------------------
    def serve(self, environ, method, path, wire, answer):
        """The response for a request: `answer()` runs the real handling, if it runs."""
        kind = endpoint_class(method, path)
        plan = self.plan
        if not plan.applies(path):
            plan = EMPTY_PLAN
        if kind == SUBMIT:
            return self._submit(environ, method, path, wire, answer, plan)
        if kind == STATUS:
            with self._status_in_flight(environ):
                if plan.hit("poll_error"):
                    self.count("poll_error")
                    return self._poll_error(wire, plan)
                return self._poisoned(answer(), plan)
        if kind == WORDS:
            before = self._before(wire, plan)
            return before[1] if before else answer()
        if kind == MEDIA and plan.hit("media_error"):
            self.count("media_error")
            return self._error(wire, 503, "service_unavailable", "Media server busy (fault).")
        return answer()

    @contextlib.contextmanager
    def _status_in_flight(self, environ):
        key = key_fingerprint(environ.get("HTTP_AUTHORIZATION", ""))
        with self._status_lock:
            if self._status_now[key]:
                self._status_overlaps[key] += 1
            self._status_now[key] += 1
            self._status_max[key] = max(self._status_max[key], self._status_now[key])
        try:
            yield
        finally:
            with self._status_lock:
                self._status_now[key] -= 1

    def status_concurrency(self):
        """Per API key (its fingerprint): the most status requests ever in flight at once,
        and how many started while another was in flight."""
        with self._status_lock:
            return {
                key: {"max": self._status_max[key], "overlaps": self._status_overlaps[key]}
                for key in self._status_max
            }

    def _before(self, wire, plan):
        if plan.hit("error_before"):
            self.count("error_before")
            status, code = plan.choice(BEFORE_ERRORS)
            return "error_before", self._error(wire, status, code, "Upstream failure (fault).")
        if plan.hit("rate_limit"):
            self.count("rate_limit")
            return "rate_limit", self._error(
                wire, 429, "too_many_requests", "Too many requests (fault)."
            )
        return None

    def _submit(self, environ, method, path, wire, answer, plan):
        request = self._request_body(environ, method, path)
        serial = self._open_call(method, path, request)
        faults = []
        before = self._before(wire, plan)
        if before:
            faults.append(before[0])
            response = before[1]
            self._close_call(serial, None, _status_code(response[0]), faults)
            return response
        if plan.hit("slow"):
            self.count("slow")
            faults.append("slow")
            time.sleep(plan.slow_sleep)
        self._local.call = {"serial": serial, "jobs": 0}
        try:
            response = answer()
        finally:
            jobs = self._local.call["jobs"]
            self._local.call = None
        handled = _status_code(response[0])
        # A jobless paid call (a relay's side endpoints) keeps its answer for the ledger.
        kept = response[2].decode(errors="replace") if jobs == 0 and handled < 300 else None
        after = None
        if 200 <= handled < 300:
            if plan.hit("error_after"):
                after = "error_after"
                status, code = plan.choice(AFTER_ERRORS)
                response = self._error(wire, status, code, "Upstream failure (fault).")
            elif plan.hit("timeout_after"):
                after = "timeout_after"
            elif plan.hit("malformed_after"):
                after = "malformed_after"
                response = self._garbage(plan, response)
        if after:
            self.count(after)
            faults.append(after)
        answered = 0 if after == "timeout_after" else _status_code(response[0])
        self._close_call(serial, handled, answered, faults, kept)
        if after == "timeout_after":
            time.sleep(plan.timeout_sleep)  # the client has given up by now
        return response

    @staticmethod
    def _request_body(environ, method, path):
        """The request as recorded: the JSON body (re-readable by the handler), or the path
        argument of a GET side call."""
        if method != "POST":
            return {"arg": path.rsplit("/", 1)[-1]}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {"_raw": raw[:500].decode(errors="replace")}
        return body if isinstance(body, dict) else {"_raw": body}

    def _error(self, wire, status, code, message):
        return self.sim.error(status, code, message, wire)

    def _garbage(self, plan, response=None):
        content_type, body = plan.choice(GARBAGE)
        if response is not None and plan.random() < 0.5 and len(response[2]) > 2:
            content_type, body = "application/json", response[2][: len(response[2]) // 2]
        return "200 OK", [("Content-Type", content_type)], body

    def _poll_error(self, wire, plan):
        which = plan.choice(("500", "429", "garbage"))
        if which == "500":
            return self._error(wire, 500, "api_error", "Status service failure (fault).")
        if which == "429":
            return self._error(wire, 429, "too_many_requests", "Too many requests (fault).")
        return self._garbage(plan)

    def _poisoned(self, response, plan):
        if plan.rates["poison"] <= 0 or _status_code(response[0]) != 200:
            return response
        try:
            payload = json.loads(response[2])
        except (ValueError, UnicodeDecodeError):
            return response
        changed = self.poison(payload, plan)
        return (response[0], response[1], dumps(payload)) if changed else response

    def poison(self, payload, plan=None):
        """Poison each clip of a decoded answer with the plan's rate; True if any was."""
        plan = plan or self.plan
        changed = False
        host = urlsplit(self.sim.base_url).hostname or "127.0.0.1"
        for clip in clips_in(payload):
            if plan.hit("poison"):
                chosen = [p for p in POISONS if plan.random() < 0.5] or [plan.choice(POISONS)]
                poison_clip(clip, chosen, host)
                self.count("poison")
                changed = True
        return changed

    # --- callbacks --------------------------------------------------------------------
    def callback_deliveries(self):
        """How many times to deliver a callback that is due now (0, 1 or 2)."""
        plan = self.plan
        if plan.hit("lose_callback"):
            self.count("lose_callback")
            return 0
        if plan.hit("duplicate_callback"):
            self.count("duplicate_callback")
            return 2
        return 1

    def callback_payload(self, body):
        """The callback body, poisoned by the plan's rate: (body, encoded bytes or None).

        Poisoned bodies come encoded (a NaN duration is not valid JSON for httpx's encoder);
        clean ones are left for the caller to send as JSON.
        """
        if self.plan.rates["poison"] <= 0:
            return body, None
        body = json.loads(json.dumps(body))  # a private copy to spoil
        return (body, dumps(body)) if self.poison(body) else (body, None)

    # --- control ----------------------------------------------------------------------
    def control(self, environ, method, path, wire):
        if not self.control_enabled:
            return self._error(wire, 404, "not_found", f"No such endpoint: {path}")
        key = self.sim.api_key
        if key and environ.get("HTTP_AUTHORIZATION") != f"Bearer {key}":
            return self._error(wire, 401, "invalid_token", "Invalid or missing API token.")
        if path == "/_simulator/faults":
            if method == "GET":
                return self.sim.json(self.plan.to_dict())
            if method != "POST":
                return self._error(wire, 405, "method_not_allowed", "Use GET or POST.")
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                data = json.loads(environ["wsgi.input"].read(length) or b"{}")
                self.plan = FaultPlan.from_dict(data)
            except (ValueError, UnicodeDecodeError) as exc:
                return self._error(wire, 400, "bad_request", f"Bad fault plan: {exc}")
            return self.sim.json(self.plan.to_dict())
        if path == "/_simulator/ledger":
            if method != "GET":
                return self._error(wire, 405, "method_not_allowed", "Use GET.")
            with self._hits_lock:
                hits = dict(self.hits)
            return self.sim.json(
                {
                    "jobs": self.ledger(),
                    "calls": self.call_counts(),
                    "hits": hits,
                    "status_concurrency": self.status_concurrency(),
                }
            )
        return self._error(wire, 404, "not_found", f"No such endpoint: {path}")


def _status_code(status_line):
    return int(str(status_line).split(" ", 1)[0])
