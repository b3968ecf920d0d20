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

The package is split by concern: `plan` (endpoint classes, fault kinds, `FaultPlan`), `poison`
(spoiling clips), `ledger` (`CallLedger`: the recorded calls and jobs) and `layer`
(`FaultLayer`: applies the plan to requests, callbacks and control calls). The names callers
use are re-exported here.
"""

from music.upstream.simulator.faults.layer import FaultLayer
from music.upstream.simulator.faults.ledger import CallLedger, key_fingerprint
from music.upstream.simulator.faults.plan import (
    AFTER_ERRORS,
    BEFORE_ERRORS,
    CONTROL_PREFIX,
    DEFAULT_SLOW_SLEEP,
    DEFAULT_TIMEOUT_SLEEP,
    EMPTY_PLAN,
    EXTRA_KINDS,
    GARBAGE,
    JOBLESS_PAID,
    KINDS,
    MEDIA,
    POISONS,
    STATUS,
    STATUS_GET_PREFIXES,
    STATUS_POSTS,
    SUBMIT,
    SUBMIT_GET_PREFIXES,
    SUBMIT_POSTS,
    WORDS,
    WORDS_POSTS,
    FaultPlan,
    endpoint_class,
)
from music.upstream.simulator.faults.poison import clips_in, dumps, is_clip, poison_clip, with_port

__all__ = [
    "AFTER_ERRORS",
    "BEFORE_ERRORS",
    "CONTROL_PREFIX",
    "DEFAULT_SLOW_SLEEP",
    "DEFAULT_TIMEOUT_SLEEP",
    "EMPTY_PLAN",
    "EXTRA_KINDS",
    "GARBAGE",
    "JOBLESS_PAID",
    "KINDS",
    "MEDIA",
    "POISONS",
    "STATUS",
    "STATUS_GET_PREFIXES",
    "STATUS_POSTS",
    "SUBMIT",
    "SUBMIT_GET_PREFIXES",
    "SUBMIT_POSTS",
    "WORDS",
    "WORDS_POSTS",
    "CallLedger",
    "FaultLayer",
    "FaultPlan",
    "clips_in",
    "dumps",
    "endpoint_class",
    "is_clip",
    "key_fingerprint",
    "poison_clip",
    "with_port",
]
