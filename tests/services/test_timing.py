"""The lifecycle's waits: how often a job is checked, how long a worker's claim lasts before
another may take the work over, how a failing download backs off."""

from datetime import timedelta

import pytest

from music.services.tasks import timing


def seconds(delta):
    return delta.total_seconds()


def test_a_job_is_first_checked_after_two_seconds_then_ever_more_slowly(settings):
    settings.SUNO_POLL_MAX_SECONDS = 60
    gaps = [seconds(timing.poll_interval(n)) for n in range(12)]
    assert gaps[:4] == [2.0, 3.0, 4.5, 6.75]
    assert gaps[-1] == 60.0  # never past the ceiling
    assert gaps == sorted(gaps)


def test_by_default_a_finished_song_shows_within_three_seconds(settings):
    """Without callbacks, the check after 2 s then every 3 s (SUNO_POLL_MAX_SECONDS)."""
    assert [seconds(timing.poll_interval(n)) for n in range(4)] == [2.0, 3.0, 3.0, 3.0]


def test_a_poll_pass_is_held_longer_than_its_requests_may_take(settings):
    """Another poller takes an account's pass over only after twice the client's time-out
    and half a minute more: a pass still waiting on the provider keeps its tasks."""
    for timeout in (5, 30, 90):
        settings.SUNO_TIMEOUT = timeout
        assert seconds(timing.poll_lease()) == 2 * timeout + 30


def test_an_archive_job_is_held_longer_than_its_two_downloads_may_take(settings):
    """The audio and the cover, each bounded by the fetch deadline, with time to spare: an
    archive job still running is never sent a second time."""
    for deadline in (10, 120):
        settings.STUDIO_FETCH_DEADLINE = deadline
        assert seconds(timing.archive_work_lease()) == 2 * deadline + 30


def test_a_failing_download_backs_off_doubling_up_to_five_minutes():
    gaps = [seconds(timing.archive_backoff(n)) for n in range(12)]
    assert gaps[:6] == [2.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert gaps[-1] == timing.ARCHIVE_BACKOFF_MAX == 300


def test_a_send_is_called_dead_only_after_every_attempt_could_have_timed_out(settings):
    """Three attempts bounded by the client's time-out, the pauses between them (1 s, 3 s),
    and a margin: a send still under way is never taken for dead (and paid twice)."""
    for timeout in (5, 30):
        settings.SUNO_TIMEOUT = timeout
        slowest_send = (len(timing.RETRY_DELAYS) + 1) * timeout + sum(timing.RETRY_DELAYS)
        assert seconds(timing.stale_submit()) == slowest_send + 15


@pytest.mark.parametrize(
    ("minutes", "shown", "delta"),
    [(20.0, 20, timedelta(minutes=20)), (2.5, 2.5, timedelta(seconds=150))],
)
def test_the_deadline_is_shown_without_a_needless_decimal(settings, minutes, shown, delta):
    settings.SUNO_TASK_DEADLINE_MINUTES = minutes
    assert timing.deadline() == delta
    assert timing.deadline_minutes() == shown
    assert type(timing.deadline_minutes()) is type(shown)


def test_a_late_task_is_watched_for_the_grace_at_the_late_pace(settings):
    settings.SUNO_LATE_GRACE_HOURS = 6
    settings.SUNO_LATE_POLL_SECONDS = 300
    assert (timing.late_grace(), timing.late_poll()) == (
        timedelta(hours=6),
        timedelta(minutes=5),
    )


def test_the_pacing_the_studio_promises():
    """The numbers behind what the README and the task pages promise, each with its reason;
    the lifecycle's tests check the behaviour relative to them."""
    promised = {
        "FIRST_POLL_AFTER": timedelta(seconds=2),  # a quick job shows at once
        "POLLER_CHECK_SECONDS": 1.0,  # "looking every second"
        # A claimed task is left to its pass for longer than a pass's requests normally take.
        "POLL_LEASE": timedelta(seconds=45),
        "POLL_COALESCE": timedelta(seconds=1),  # one request for tasks due a moment apart
        # A queue message not taken within a minute is sent again by the sweep (never paid
        # twice: the send itself is claimed).
        "LOST_MESSAGE_AFTER": timedelta(minutes=1),
        "ARCHIVE_QUEUE_LEASE": timedelta(minutes=2),
        "RETRY_DELAYS": (1.0, 3.0),  # "not taken, try again": three tries within 4 s
        "CALLBACK_DEBOUNCE": timedelta(seconds=5),  # a burst of callbacks: one refresh
        # "Not found" three times over at least a minute: a lagging replica never fails a job.
        "LOST_AFTER_MISSES": 3,
        "LOST_AFTER": timedelta(minutes=1),
    }
    assert {name: getattr(timing, name) for name in promised} == promised
