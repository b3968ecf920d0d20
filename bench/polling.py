"""Upstream requests, queries and queued archive jobs per poll pass with 200 tasks in flight.

Run: .venv/bin/python bench/polling.py
"""

import logging
import time

from _setup import boot

boot()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_q.conf import Conf  # noqa: E402
from django_q.models import OrmQ  # noqa: E402

from music import upstream  # noqa: E402
from music.models import Task, TaskState  # noqa: E402
from music.services import tasks  # noqa: E402
from music.services.teams import create_team  # noqa: E402
from music.upstream.base import SongRequest  # noqa: E402

# Archive jobs go to the (ORM) broker as in production, not inline: the pass only enqueues.
Conf.SYNC = False
logging.getLogger("django-q").setLevel(logging.WARNING)

IN_FLIGHT = 200


def main():
    simulator = upstream.get_simulator()
    simulator.running_seconds = 3600  # keep every job running: we measure the polling itself
    provider = upstream.get_provider()
    user = get_user_model().objects.create(username="poller")
    team = create_team("Polling", user)
    now = timezone.now()
    Task.objects.bulk_create(
        [
            Task(
                team=team,
                created_by=user,
                state=TaskState.SUBMITTED,
                upstream_id=provider.submit(
                    SongRequest(prompt=f"song {i}"), "http://127.0.0.1:9/callback/"
                ).upstream_id,
                params={"prompt": f"song {i}"},
                next_poll_at=now,
                deadline_at=now + timezone.timedelta(hours=1),
            )
            for i in range(IN_FLIGHT)
        ]
    )
    print(f"tasks in flight: {IN_FLIGHT}; batch limit: {provider.batch_size or 'none'}")
    print(f"{'pass':<34} {'polled':>6} {'requests':>8} {'queries':>7} {'ms':>6} {'queued':>6}")
    for label in (
        "first pass (creates 400 songs)",
        "later pass (nothing new)",
        "final pass (all finished)",
    ):
        if label.startswith("final"):
            simulator.running_seconds = 0
        Task.objects.update(next_poll_at=timezone.now())
        simulator.requests.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            polled = tasks.poll_due()
            elapsed = time.perf_counter() - start
        requests = [r for r in simulator.requests if r[0] == "POST"]
        queued = OrmQ.objects.count()
        OrmQ.objects.all().delete()
        print(
            f"{label:<34} {polled:>6} {len(requests):>8} {len(ctx.captured_queries):>7} "
            f"{elapsed * 1000:>6.0f} {queued:>6}"
        )
    print("(requests: POSTs to /suno/tasks; queued: archive jobs the pass enqueued, one per clip;")
    print(" the pass downloads nothing. The final pass's time is mostly the in-process simulator")
    print(" rendering 400 clips to answer the status request.)")


if __name__ == "__main__":
    main()
