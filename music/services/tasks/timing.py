"""How long the lifecycle waits for what, in one place (settings supply the big numbers)."""

from datetime import timedelta

from django.conf import settings

FIRST_POLL_AFTER = timedelta(seconds=2)
POLL_LEASE = timedelta(seconds=45)
# A pass takes along an account's tasks that fall due this soon: one request, not several.
POLL_COALESCE = timedelta(seconds=1)
# How often the poller looks for newly due work (a submit, a callback's adoption).
POLLER_CHECK_SECONDS = 1.0
# An archive job not finished by then (queued, or under way) died with its worker: the row
# says it is still due, and the sweep or the poller sends it again.
ARCHIVE_QUEUE_LEASE = timedelta(seconds=120)
ARCHIVE_BACKOFF_MAX = 300  # seconds between tries of a download that keeps failing
LOST_MESSAGE_AFTER = timedelta(seconds=60)
RETRY_DELAYS = (1.0, 3.0)  # back-off for answers that say "not taken, try again"
CALLBACK_DEBOUNCE = timedelta(seconds=5)  # repeated callbacks within this queue one refresh
# A job the provider answers "not found" for this many checks in a row, over at least this
# long, is lost: one missing answer may be a replica lagging, a minute of them is not.
LOST_AFTER_MISSES = 3
LOST_AFTER = timedelta(minutes=1)


def poll_interval(polls):
    """Back off from every 2 s, never past SUNO_POLL_MAX_SECONDS while a job is in flight:
    a finished song must show within seconds even without a callback."""
    return timedelta(seconds=min(2 * 1.5**polls, settings.SUNO_POLL_MAX_SECONDS))


def poll_lease():
    """How long one poll pass of an account may take before another process may take it
    over (its requests are bounded by the client's time-out)."""
    return timedelta(seconds=2 * settings.SUNO_TIMEOUT + 30)


def archive_work_lease():
    """How long one archive job may run (audio and cover, each bounded by the deadline)."""
    return timedelta(seconds=2 * settings.STUDIO_FETCH_DEADLINE + 30)


def archive_backoff(attempts):
    return timedelta(seconds=min(2 * 2 ** max(0, attempts - 1), ARCHIVE_BACKOFF_MAX))


def deadline():
    return timedelta(minutes=settings.SUNO_TASK_DEADLINE_MINUTES)


def deadline_minutes():
    minutes = settings.SUNO_TASK_DEADLINE_MINUTES
    return int(minutes) if float(minutes).is_integer() else minutes


def late_grace():
    """How long a task failed for want of an answer is still watched for a late result."""
    return timedelta(hours=settings.SUNO_LATE_GRACE_HOURS)


def late_poll():
    return timedelta(seconds=settings.SUNO_LATE_POLL_SECONDS)


def stale_submit():
    """A send that has not ended by then died with its worker (each attempt is bounded by
    the client's time-out; a few short pauses separate the attempts)."""
    attempts = len(RETRY_DELAYS) + 1
    return timedelta(seconds=attempts * settings.SUNO_TIMEOUT + sum(RETRY_DELAYS) + 15)
