"""The task lifecycle: write the row, send it once, follow it to the end, lose nothing.

The rules that keep money and songs safe:
- a task row is written (`queued`) in the user's transaction; the queue message follows on
  commit, and a sweep re-sends messages that never arrived (`starting`, `housekeeping`);
- the worker claims the row (`queued -> submitting`, committed) before the POST; a row that
  is not `queued` is never sent, so a re-delivered message or a crash cannot pay twice
  (`sending`);
- an unclear answer (time-out, 5xx, garbage, a worker killed mid-send) is not a failure: the
  task is `unconfirmed`, never re-sent, and reconciled from callbacks and the provider's own
  records (`reconciling`);
- results (poll or callback) are applied idempotently, each task in its own transaction, and
  states only move forward; a task failed for want of an answer is still watched for a grace
  period, and a late result brings its songs in (`applying`, `polling`, `callbacks`);
- a task ends when the provider says so; its songs are `saving` until one queue job per clip
  has copied their media (`archiving`), off the poll path, re-sent from the row if lost;
- one poll pass per provider account at a time across processes (`leases`), run within
  seconds of work falling due by `manage.py run_poller` (`poller`).
"""

from music.services.tasks.applying import apply_result, fail
from music.services.tasks.archiving import archive, dispatch_due
from music.services.tasks.callbacks import accept_callback, hash_token
from music.services.tasks.housekeeping import sweep
from music.services.tasks.polling import claim_due, poll_due, poll_interval, refresh
from music.services.tasks.sending import callback_url, redact, submit
from music.services.tasks.side_results import apply_side_result
from music.services.tasks.starting import DEFAULT, default_account, enqueue_submit, start_task

__all__ = [
    "DEFAULT",
    "accept_callback",
    "apply_result",
    "apply_side_result",
    "archive",
    "callback_url",
    "claim_due",
    "default_account",
    "dispatch_due",
    "enqueue_submit",
    "fail",
    "hash_token",
    "poll_due",
    "poll_interval",
    "redact",
    "refresh",
    "start_task",
    "submit",
    "sweep",
]
