"""The fault plan: which endpoints are faulted, the kinds of fault and their rates."""

import math
import random
import threading

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
        "/suno/midi",
        "/suno/mp3",
        "/suno/vox",
        "/suno/voices",
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
