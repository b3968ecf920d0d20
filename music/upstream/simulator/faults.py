"""Seeded fault injection for the simulator, and a ledger of what it was paid for.

A `FaultPlan` holds a rate in [0, 1] for each kind of fault and a seeded RNG (behind a lock:
the WSGI server answers on many threads). The `FaultLayer` sits between the WSGI entry point
and the wire formats and applies the plan by endpoint class:

- *submit* endpoints (billable: they create a job or answer a paid side call):
  `error_before` (500/502/503, nothing handled) and `rate_limit` (429) are checked first,
  then `slow` (sleep `slow_sleep`, then handle); after a successful handling (the job exists
  and is paid for) `error_after` (500/502/504), `timeout_after` (sleep `timeout_sleep`,
  longer than the client's time-out, then answer) and `malformed_after` (200 with garbage)
  replace the answer. A request gets at most one before-fault and one after-fault; `slow`
  combines with either. Rates are per request, checked in that order.
- *status* endpoints: `poll_error` (500, 429 or a garbage 200); `poison` spoils clips in the
  answers (a 300+ character title, NUL bytes, NaN duration, an image URL on port 99999, a
  `javascript:` video URL, a number for the style), keeping `audio_url` valid.
- *words* endpoints: `error_before` and `rate_limit` only.
- callbacks: `lose_callback`, `duplicate_callback` (a second POST a second later), `poison`.
- `/media/`: `media_error` (503), 0 unless set explicitly (not part of the `rate` shorthand).

`paths` (a list) limits the plan's requests to those paths (exact, or prefixes ending in
"/"); callbacks follow the plan whatever their job's path.

With the same seed and the same sequence of requests the same faults happen; concurrent
requests draw from the one RNG in whatever order they arrive.

Every request to a submit endpoint is recorded (`fault_calls`, with the jobs it created, in
`fault_jobs`) in the simulator's own SQLite file, so `ledger()` can tell, for every job, which
call created it, which faults hit that call, and whether it was billed. Status requests in
flight are counted per API key (`status_concurrency()`: the most at once), so a test can
check that several queue processes poll an account one pass at a time. Control over HTTP
(`/_simulator/faults`, `/_simulator/ledger`) exists only when the simulator was built with
`control=True`.
"""

import contextlib
import hashlib
import io
import json
import math
import random
import threading
import time
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

# --- endpoint classes --------------------------------------------------------------------
SUBMIT_POSTS = frozenset(
    {
        # SunoHub
        "/suno/audios",
        "/suno/upload",
        "/suno/persona",
        "/suno/timing",
        "/suno/wav",
        "/suno/mp4",
        # relay
        "/suno/submit/music",
        "/suno/submit/concat",
        "/suno/uploads/audio-url",
        "/suno/persona/create",
    }
)
SUBMIT_GET_PREFIXES = ("/suno/act/",)
# Paid calls that make no job (a relay answers them at once): the ledger lists the call itself.
JOBLESS_PAID = ("/suno/act/timing/", "/suno/act/wav/", "/suno/act/mp4/", "/suno/persona/create")
STATUS_POSTS = frozenset({"/suno/tasks", "/suno/fetch"})
STATUS_GET_PREFIXES = ("/suno/fetch/", "/suno/feed/")
WORDS_POSTS = frozenset({"/suno/lyrics", "/suno/style", "/suno/submit/lyrics"})
CONTROL_PREFIX = "/_simulator/"

SUBMIT, STATUS, WORDS, MEDIA = "submit", "status", "words", "media"


def endpoint_class(method, path):
    """`submit`, `status`, `words`, `media` or None (not faulted)."""
    if method == "GET" and path.startswith("/media/"):
        return MEDIA
    if method == "POST":
        if path in SUBMIT_POSTS:
            return SUBMIT
        if path in STATUS_POSTS:
            return STATUS
        if path in WORDS_POSTS:
            return WORDS
    if method == "GET":
        if path.startswith(SUBMIT_GET_PREFIXES):
            return SUBMIT
        if path.startswith(STATUS_GET_PREFIXES):
            return STATUS
    return None


# --- the plan ----------------------------------------------------------------------------
KINDS = (
    "error_before",
    "rate_limit",
    "error_after",
    "timeout_after",
    "slow",
    "malformed_after",
    "lose_callback",
    "duplicate_callback",
    "poison",
    "poll_error",
)
EXTRA_KINDS = ("media_error",)  # only when named: not part of the `rate` shorthand
DEFAULT_TIMEOUT_SLEEP = 8.0  # longer than the studio's client time-out
DEFAULT_SLOW_SLEEP = 2.0  # shorter than it

BEFORE_ERRORS = ((500, "api_error"), (502, "bad_gateway"), (503, "service_unavailable"))
AFTER_ERRORS = ((500, "api_error"), (502, "bad_gateway"), (504, "timeout"))
GARBAGE = (
    ("text/html", b"<html>upstream error</html>"),
    ("application/json", b'{"success": true, "task_id": "'),
    ("application/json", b""),
    ("application/json", b"null"),
)
POISONS = ("long_title", "nul", "nan_duration", "bad_port", "js_video", "number_style")


class FaultPlan:
    """Rates per fault kind, sleeps, and a seeded RNG shared (under a lock) by all threads."""

    def __init__(
        self,
        rates=None,
        *,
        seed=0,
        timeout_sleep=DEFAULT_TIMEOUT_SLEEP,
        slow_sleep=DEFAULT_SLOW_SLEEP,
        paths=(),
    ):
        rates = dict(rates or {})
        unknown = set(rates) - set(KINDS) - set(EXTRA_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))}")
        self.rates = {}
        for kind in (*KINDS, *EXTRA_KINDS):
            value = rates.get(kind, 0.0)
            self.rates[kind] = _unit_number(value, kind)
        self.seed = _int(seed, "seed")
        self.timeout_sleep = _seconds(timeout_sleep, "timeout_sleep")
        self.slow_sleep = _seconds(slow_sleep, "slow_sleep")
        # Only requests to these paths (exact, or a prefix ending in "/") are faulted; none
        # named: every path. A test aims a fault at one step of a two-step action this way.
        if isinstance(paths, str) or not all(isinstance(p, str) for p in paths):
            raise ValueError("`paths` must be a list of paths")
        self.paths = tuple(paths)
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def from_dict(cls, data):
        """A plan from JSON: `{kind: rate, ..., "rate": r, "seed", "timeout_sleep",
        "slow_sleep"}`; `rate` sets every kind not named (media errors excepted); `{}` is
        the empty plan. Raises ValueError for anything else."""
        if not isinstance(data, dict):
            raise ValueError("a fault plan is a JSON object")
        data = dict(data)
        options = {
            name: data.pop(name)
            for name in ("seed", "timeout_sleep", "slow_sleep", "paths")
            if name in data
        }
        nested = data.pop("rates", None)
        if nested is not None:
            if not isinstance(nested, dict):
                raise ValueError("`rates` must be an object")
            data = {**nested, **data}
        default = _unit_number(data.pop("rate", 0.0), "rate")
        rates = {kind: default for kind in KINDS}
        rates.update(data)
        return cls(rates, **options)

    def to_dict(self):
        return {
            **self.rates,
            "seed": self.seed,
            "timeout_sleep": self.timeout_sleep,
            "slow_sleep": self.slow_sleep,
            "paths": list(self.paths),
        }

    @property
    def active(self):
        return any(self.rates.values())

    def applies(self, path):
        return not self.paths or any(
            path == p or (p.endswith("/") and path.startswith(p)) for p in self.paths
        )

    def hit(self, kind):
        """Whether a fault of this kind happens now (draws from the RNG only if its rate > 0)."""
        rate = self.rates[kind]
        if rate <= 0:
            return False
        if rate >= 1:
            return True
        with self._lock:
            return self._rng.random() < rate

    def choice(self, options):
        with self._lock:
            return self._rng.choice(options)

    def random(self):
        with self._lock:
            return self._rng.random()


def _unit_number(value, name):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a number between 0 and 1")
    if not 0 <= value <= 1:
        raise ValueError(f"`{name}` must be between 0 and 1")
    return float(value)


def _seconds(value, name):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a number of seconds")
    if not 0 <= value <= 600:
        raise ValueError(f"`{name}` must be between 0 and 600 seconds")
    return float(value)


def _int(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"`{name}` must be an integer")
    return value


EMPTY_PLAN = FaultPlan()


# --- poison --------------------------------------------------------------------------------
def is_clip(obj):
    """A clip as either wire shows it (SunoHub `state`, relay `status`), with an audio URL."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
        and "audio_url" in obj
        and ("state" in obj or "status" in obj)
    )


def clips_in(obj):
    """Every clip object anywhere in a decoded answer."""
    if is_clip(obj):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from clips_in(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from clips_in(value)


def poison_clip(clip, chosen, host="127.0.0.1"):
    """Spoil a clip in place with the chosen poisons; its `audio_url` stays valid."""
    metadata = clip.get("metadata") if isinstance(clip.get("metadata"), dict) else None
    if "long_title" in chosen:
        clip["title"] = f"{clip.get('title') or ''} " + "overlong title " * 22  # 330+ chars
    if "nul" in chosen:
        clip["title"] = f"{clip.get('title') or ''}\u0000nul"
        if metadata is not None:
            metadata["prompt"] = f"{metadata.get('prompt') or ''}\u0000"
        else:
            clip["lyric"] = f"\u0000{clip.get('lyric') or ''}"
    if "nan_duration" in chosen:
        (metadata if metadata is not None else clip)["duration"] = float("nan")
    if "bad_port" in chosen:
        clip["image_url"] = with_port(clip.get("image_url"), 99999, host)
        if "image_large_url" in clip:
            clip["image_large_url"] = clip["image_url"]
    if "js_video" in chosen:
        clip["video_url"] = "javascript:alert(1)"
    if "number_style" in chosen:
        if metadata is not None:
            metadata["tags"] = 12345
            clip["display_tags"] = 12345
        else:
            clip["style"] = 12345
    return clip


def with_port(url, port, host):
    parts = urlsplit(url or "")
    hostname = parts.hostname or host
    return urlunsplit(
        (parts.scheme or "http", f"{hostname}:{port}", parts.path or "/x.png", parts.query, "")
    )


def dumps(payload):
    # allow_nan: a poisoned duration goes out as the bare token NaN, as sloppy servers write.
    return json.dumps(payload, ensure_ascii=False, allow_nan=True).encode()


# --- the layer ------------------------------------------------------------------------------
class FaultLayer:
    """Applies the simulator's current plan to each request and keeps the call ledger."""

    def __init__(self, sim, *, plan=None, control=False):
        self.sim = sim
        self.control_enabled = control
        self.plan = plan or FaultPlan()
        self.hits = Counter()  # faults injected by kind, since this process started
        self._hits_lock = threading.Lock()
        self._local = threading.local()
        # Status requests in flight per API key, and the most ever at once: a studio runs one
        # poll pass per account at a time, however many queue processes it has.
        self._status_lock = threading.Lock()
        self._status_now = Counter()
        self._status_max = Counter()
        self._status_overlaps = Counter()  # per key: status requests that started on another
        self._migrate()

    def count(self, kind, n=1):
        with self._hits_lock:
            self.hits[kind] += n

    # --- storage ----------------------------------------------------------------------
    def _migrate(self):
        with self.sim.db:
            self.sim.db.executescript(
                """
                CREATE TABLE IF NOT EXISTS fault_calls (
                    serial INTEGER PRIMARY KEY AUTOINCREMENT, created REAL, method TEXT,
                    path TEXT, request TEXT, handled INTEGER, answered INTEGER,
                    faults TEXT, answer TEXT);
                CREATE TABLE IF NOT EXISTS fault_jobs (
                    job_id TEXT PRIMARY KEY, serial INTEGER, seq INTEGER);
                """
            )

    def _open_call(self, method, path, request):
        with self.sim.db:
            cursor = self.sim.db.execute(
                "INSERT INTO fault_calls (created, method, path, request, faults)"
                " VALUES (?, ?, ?, ?, '[]')",
                (self.sim.clock(), method, path, json.dumps(request, ensure_ascii=False)),
            )
        return cursor.lastrowid

    def _close_call(self, serial, handled, answered, faults, answer=None):
        with self.sim.db:
            self.sim.db.execute(
                "UPDATE fault_calls SET handled = ?, answered = ?, faults = ?, answer = ?"
                " WHERE serial = ?",
                (handled, answered, json.dumps(faults), answer, serial),
            )

    def note_job(self, job_id):
        """Called for every job the engine creates: tie it to the call being handled."""
        call = getattr(self._local, "call", None)
        if call is None:
            return
        call["jobs"] += 1
        with self.sim.db:
            self.sim.db.execute(
                "INSERT OR REPLACE INTO fault_jobs (job_id, serial, seq) VALUES (?, ?, ?)",
                (job_id, call["serial"], call["jobs"]),
            )

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

    # --- the ledger -------------------------------------------------------------------
    def ledger(self):
        """Every job, and every paid call that makes no job (a relay's timing, WAV, MP4 and
        persona calls, listed as `call:<serial>`), oldest first.

        Each entry: `id`, `created`, `request` (as received, with its callback URL), `phase`
        (pending | running | succeeded | error), `clip_ids`, `path` (the endpoint that made
        it: the side answer's `_path`, else the call's path), `billable` (made by a submit
        endpoint, and not a sub-job such as the upload inside `upload_generate`), `call`
        (serial, faults that hit it, handled and answered HTTP status; 0 = timed out) and,
        for side calls, `side` (a small summary of the answer: persona id, file URL).
        """
        db = self.sim.db
        calls = {row["serial"]: row for row in db.execute("SELECT * FROM fault_calls")}
        links = {row["job_id"]: row for row in db.execute("SELECT * FROM fault_jobs")}
        last_seq = {}
        for link in links.values():
            last_seq[link["serial"]] = max(last_seq.get(link["serial"], 0), link["seq"])
        out = []
        for job in db.execute("SELECT * FROM jobs ORDER BY created, id"):
            link = links.get(job["id"])
            call = calls.get(link["serial"]) if link else None
            answer = json.loads(job["answer"]) if job["answer"] else None
            path = (answer or {}).get("_path") or (call["path"] if call else "")
            out.append(
                {
                    "id": job["id"],
                    "created": job["created"],
                    "request": json.loads(job["request"]),
                    "phase": self.sim.phase(job),
                    "clip_ids": json.loads(job["clip_ids"]),
                    "path": path,
                    # The last job a paid call made is what it was paid for; an earlier one
                    # (the upload inside upload_generate) is part of it; a refused call (a
                    # 4xx from the handler, e.g. after that upload) is not paid for.
                    "billable": bool(call)
                    and _ok(call["handled"])
                    and link["seq"] == last_seq[link["serial"]],
                    "call": _call_json(call),
                    "side": _side_summary(answer),
                }
            )
        linked = {link["serial"] for link in links.values()}
        for serial, call in calls.items():
            if serial in linked or not _ok(call["handled"]):
                continue
            if not call["path"].startswith(JOBLESS_PAID):
                continue
            answer = _loads(call["answer"])
            out.append(
                {
                    "id": f"call:{serial}",
                    "created": call["created"],
                    "request": _loads(call["request"]) or {},
                    "phase": "succeeded",
                    "clip_ids": [],
                    "path": call["path"],
                    "billable": True,
                    "call": _call_json(call),
                    "side": _side_summary(answer),
                }
            )
        out.sort(key=lambda entry: (entry["created"], entry["id"]))
        return out

    def call_counts(self):
        """Submit calls by path and by the faults that hit them."""
        by_fault, by_path = {}, {}
        for row in self.sim.db.execute("SELECT path, faults FROM fault_calls"):
            by_path[row["path"]] = by_path.get(row["path"], 0) + 1
            for fault in json.loads(row["faults"] or "[]") or ["none"]:
                by_fault[fault] = by_fault.get(fault, 0) + 1
        return {"by_path": by_path, "by_fault": by_fault}


def key_fingerprint(authorization):
    """A short stand-in for the API key of an `Authorization: Bearer <key>` header (the
    ledger lists keys by it, never in clear); "" for none."""
    key = authorization.removeprefix("Bearer ").strip()
    return hashlib.sha256(key.encode()).hexdigest()[:12] if key else ""


def _ok(status):
    return status is not None and 200 <= status < 300


def _status_code(status_line):
    return int(str(status_line).split(" ", 1)[0])


def _loads(text):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _call_json(call):
    if call is None:
        return None
    return {
        "serial": call["serial"],
        "method": call["method"],
        "path": call["path"],
        "faults": json.loads(call["faults"] or "[]"),
        "handled": call["handled"],
        "answered": call["answered"],
    }


def _side_summary(answer):
    """What a side call's answer says it made: a persona id, a file URL, an audio id."""
    if not isinstance(answer, dict):
        return None
    data = answer.get("data")
    summary = {}
    if isinstance(data, dict):
        for name in ("persona_id", "audio_id", "video_url", "wav_file_url"):
            if isinstance(data.get(name), str):
                summary[name] = data[name]
    elif isinstance(data, list) and data and isinstance(data[0], dict) and data[0].get("file_url"):
        summary["file_url"] = str(data[0]["file_url"])
    if isinstance(answer.get("id"), str) and "root_clip_id" in answer:  # relay persona
        summary["persona_id"] = answer["id"]
    return summary or None
