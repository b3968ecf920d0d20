"""Latency under load: the library page and a song page served by `runserver` (threaded, its
own process) on 127.0.0.1, hit by concurrent clients from this process. Bounded: a fixed
number of requests, loopback only.

Run: .venv/bin/python bench/load.py [concurrency] [requests]
"""

import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _setup import boot, session_cookie

boot()
ROOT = Path(__file__).resolve().parent.parent

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from music.models import Song  # noqa: E402
from music.services.teams import ensure_demo  # noqa: E402


def main(concurrency=8, total=400):
    user, team = ensure_demo("loaduser", "load-pass-123", "Load Team")
    now = timezone.now()
    Song.objects.bulk_create(
        [
            Song(
                team=team,
                author=user,
                upstream_id=f"load-{i}",
                title=f"Load song {i}",
                style="pop",
                state="succeeded",
                duration=100,
                created_at=now - timezone.timedelta(seconds=i),
            )
            for i in range(1000)
        ]
    )
    song = Song.objects.filter(team=team).first()
    port = free_port()
    # A separate process, so the clients here do not share the server's interpreter lock.
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base)
    cookies = session_cookie(get_user_model().objects.get(pk=user.pk))
    print(
        f"{concurrency} concurrent clients, {total} requests per page, 1,000 songs "
        f"(runserver, threaded, one process; {settings.DATABASES['default']['ENGINE']})"
    )
    print(f"{'page':<14} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for label, path in (("library", "/"), ("song", f"/songs/{song.pk}/")):

        def hit(_, path=path):
            with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
                start = time.perf_counter()
                status = client.get(path).status_code
                return (time.perf_counter() - start) * 1000, status

        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(hit, range(total)))
        elapsed = time.perf_counter() - start
        times = sorted(t for t, _ in results)
        errors = sum(1 for _, s in results if s != 200)
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{label:<14} {total / elapsed:>7.0f} {statistics.median(times):>7.1f} "
            f"{p95:>7.1f} {errors:>6}"
        )
    server.terminate()
    server.wait(timeout=10)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/accounts/login/", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
