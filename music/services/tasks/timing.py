"""How long the lifecycle waits for what, in one place (settings supply the big numbers)."""

from datetime import timedelta

from django.conf import settings

FIRST_POLL_AFTER = timedelta(seconds=3)
MAX_POLL_INTERVAL = 60  # seconds
POLL_LEASE = timedelta(seconds=45)
LOST_MESSAGE_AFTER = timedelta(seconds=60)
RETRY_DELAYS = (1.0, 3.0)  # back-off for answers that say "not taken, try again"
CALLBACK_DEBOUNCE = timedelta(seconds=5)  # repeated callbacks within this queue one refresh
# A job the provider answers "not found" for this many checks in a row, over at least this
# long, is lost: one missing answer may be a replica lagging, a minute of them is not.
LOST_AFTER_MISSES = 3
LOST_AFTER = timedelta(minutes=1)


def poll_interval(polls):
    return timedelta(seconds=min(3 * 1.5**polls, MAX_POLL_INTERVAL))


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
