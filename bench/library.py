"""Queries and median server time for the library page with 1,000 and 10,000 songs.

Run: .venv/bin/python bench/library.py   (uses a throw-away SQLite database by default;
set DATABASE_URL to measure on PostgreSQL).
"""

import statistics
import time

from _setup import boot, fill_songs

boot()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from music.models import Membership  # noqa: E402
from music.services.teams import ensure_demo  # noqa: E402

REPEATS = 30


def measure(client, path):
    timings, queries = [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return queries, statistics.median(timings)


def main():
    user, team = ensure_demo("bench", "bench-pass-123", "Bench Team")
    others = []
    for n in range(5):
        other, _ = type(user).objects.get_or_create(username=f"bench-member-{n}")
        Membership.objects.get_or_create(team=team, user=other)
        others.append(other)
    client = Client()
    client.force_login(user)
    print(f"{'songs':>7} {'page':<28} {'queries':>7} {'median ms':>10}")
    for total in (1000, 10000):
        fill_songs(team, [user, *others], total)
        for label, path in [
            ("library, page 1", "/"),
            ("library, page 40", "/?page=40"),
            ("library, search 'song 99'", "/?q=song+99"),
            ("library, htmx refresh", "/"),
        ]:
            headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
            client.defaults.update(headers)
            queries, median = measure(client, path)
            client.defaults.pop("HTTP_HX_REQUEST", None)
            print(f"{total:>7} {label:<28} {queries:>7} {median:>10.1f}")
    print(f"(median of {REPEATS} requests each; database: {connection.vendor})")


if __name__ == "__main__":
    main()
