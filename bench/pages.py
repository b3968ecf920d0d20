"""Queries and CPU time of the library, song and tasks pages with 10 to 100,000 songs in a team.

Run: .venv/bin/python bench/pages.py [--backend sqlite|pg] [--sizes 10,10000,100000] [--runs 9]

CPU is this process's CPU time (time.process_time) per request through Django's test Client
with DEBUG off, the minimum of --runs requests: SQLite's work is in it, PostgreSQL's server
work is not (it runs in another process); SQL ms is the wall time spent in queries (minimum
of three requests), which shows the database's side on both. Each size is filled with
bulk_create: two songs per task, lyrics, styles, Chinese and English titles, a family of
nine songs, and work in flight (two tasks without songs yet, one making two songs, one
growing a song of the family). The pg backend creates its own database (--pg-database,
refused while another run uses it) and drops it at the end. The last line is
`pages: library L ms, song S ms, tasks T ms, unchanged refresh R ms at N songs`, after a
line with the library's and song page's first looks (after a change to the team: lists
remembered per team version, music/services/remembered.py, are asked again).
"""

import argparse
import html
import os
import re
import sys
import time

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
STYLES = [
    "pop, synth, upbeat",
    "lo-fi hip hop, mellow piano",
    "Chinese folk, guzheng, erhu",
    "rock, electric guitar, anthem",
    "jazz, late night, saxophone",
    "EDM, festival, big drop",
]
TITLES = ["Bench song {i}", "春节之歌 {i}", "Night drive {i}", "山间小路 {i}", "Summer rain {i}"]
LYRIC = (
    "[Verse]\nWalking down the road number {i}\nLights are fading, night is slow\n"
    "[Chorus]\n我们一起唱 {i}\nHold on, hold on, never let go\n"
    "[Verse 2]\nCity sleeping, rivers flow\nEvery step, a place to go\n"
)
RARE = "lighthouse"  # in exactly 12 songs at every size: a search whose answer does not grow


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--sizes", default="10,10000,100000")
    parser.add_argument("--runs", type=int, default=9, help="requests per figure (minimum)")
    parser.add_argument("--pg-database", default="studio_pages_bench", help="created and dropped")
    return parser.parse_args()


def recreate_pg_database(name):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        (others,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()
        if others:
            sys.exit(f"{name} is in use by another run; pick another with --pg-database.")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(name):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main():
    args = parse_args()
    if args.backend == "pg":
        recreate_pg_database(args.pg_database)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_database}"
    try:
        run(args)
    finally:
        if args.backend == "pg":
            from django.db import connections

            connections.close_all()
            drop_pg_database(args.pg_database)


def run(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _setup import boot

    boot()
    from django.conf import settings

    assert not settings.DEBUG, "measure with DEBUG off"
    from django.db import connection
    from django.test import Client

    from music.models import Membership
    from music.services.teams import ensure_demo

    user, team = ensure_demo("bench", "bench-pass-123", "Bench Team")
    users = [user]
    for n in range(4):
        other, _ = type(user).objects.get_or_create(username=f"bench-member-{n}")
        Membership.objects.get_or_create(team=team, user=other)
        users.append(other)
    client = Client()
    client.force_login(user)
    sizes = [int(s) for s in args.sizes.split(",")]
    family_song = seed_live_work(team, users)
    print(f"database: {connection.vendor}; CPU ms = minimum of {args.runs} requests")
    print(f"{'songs':>7}  {'request':<34} {'queries':>7} {'CPU ms':>7} {'SQL ms':>7} {'KB':>6}")
    last = {}
    for size in sizes:
        fill(team, users, size)
        analyze()
        last = measure_size(client, size, family_song, args.runs)
    print(
        f"first looks (after a change, nothing remembered): library"
        f" {last['library, page 1, first look']:.1f} ms, song {last['song page, first look']:.1f}"
        " ms"
    )
    print(
        f"pages: library {last['library, page 1']:.1f} ms, song {last['song page (family)']:.1f}"
        f" ms, tasks {last['tasks page']:.1f} ms, unchanged refresh"
        f" {last['library, unchanged refresh']:.1f} ms at {sizes[-1]} songs"
    )


def seed_live_work(team, users):
    """Work in flight and a family, newer than every filler song: page 1 shows them."""
    from django.utils import timezone

    from music.models import Relation, Song, SongState, Task, TaskState

    now = timezone.now()

    def task(n, state, **extra):
        return Task.objects.create(
            team=team,
            created_by=users[n % len(users)],
            state=state,
            upstream_id=f"live-job-{n}" if state != TaskState.QUEUED else "",
            params={"prompt": f"a song in flight {n}", "model": "chirp-v4"},
            request_payload={"prompt": f"a song in flight {n}", "padding": "x" * 2000},
            created_at=now - timezone.timedelta(seconds=n),
            **extra,
        )

    task(1, TaskState.QUEUED)
    task(2, TaskState.SUBMITTED)
    making = task(3, TaskState.RUNNING, progress=40)
    done = task(9, TaskState.SUCCEEDED, progress=100)
    for n in (1, 2):
        Song.objects.create(
            team=team,
            task=making,
            author=users[0],
            upstream_id=f"live-clip-{n}",
            title=f"Being made {n}",
            state=SongState.RUNNING,
            created_at=now - timezone.timedelta(seconds=3, microseconds=n),
        )
    root = None
    family = []
    relations = [Relation.GENERATED] + [Relation.EXTENDED] * 4 + [Relation.COVERED] * 2
    relations += [Relation.CONCATENATED, Relation.STEM]
    for n, relation in enumerate(relations):
        song = Song.objects.create(
            team=team,
            task=done,
            author=users[n % len(users)],
            upstream_id=f"family-{n}",
            title=f"Family {n}",
            style=STYLES[n % len(STYLES)],
            lyric=LYRIC.format(i=n),
            state=SongState.SUCCEEDED,
            duration=60 + n,
            relation=relation,
            is_fragment=relation == Relation.EXTENDED,
            parent=family[-1] if family and relation != Relation.COVERED else root,
            root=root,
            raw={"id": f"family-{n}", "padding": "y" * 1500},
            created_at=now - timezone.timedelta(seconds=10 + n),
        )
        root = root or song
        family.append(song)
    extending = task(5, TaskState.RUNNING, progress=10, source_song=family[4])
    extending.params = {"prompt": "extend it", "action": "extend"}
    extending.save()
    return family[4]


def fill(team, users, total):
    """Up to `total` songs in the team (two per task), older than the live work."""
    from django.utils import timezone

    from music.models import Song, SongState, Task, TaskState

    have = Song.objects.filter(team=team).count()
    start = timezone.now() - timezone.timedelta(hours=1)
    batch = 5000
    for first in range(have, total, batch):
        numbers = range(first, min(total, first + batch))
        tasks = {}
        for i in numbers:
            if i // 2 not in tasks:
                failed = i % 97 == 0
                tasks[i // 2] = Task(
                    team=team,
                    created_by=users[i % len(users)],
                    state=TaskState.FAILED if failed else TaskState.SUCCEEDED,
                    upstream_id=f"bench-job-{i}",
                    progress=100,
                    error_message="Prompt likely copyrighted." if failed else "",
                    params={"prompt": f"bench prompt {i}", "model": "chirp-v4", "title": ""},
                    request_payload={"prompt": f"bench prompt {i}", "padding": "x" * 800},
                    response={"data": [{"id": f"bench-{i}", "padding": "z" * 1200}]},
                    created_at=start - timezone.timedelta(seconds=i),
                )
        Task.objects.bulk_create(tasks.values(), batch_size=1000)
        Song.objects.bulk_create(
            [
                Song(
                    team=team,
                    task=tasks[i // 2],
                    author=users[i % len(users)],
                    upstream_id=f"bench-{i}",
                    title=TITLES[i % len(TITLES)].format(i=i)
                    + (f" {RARE.title()}" if i % max(1, total // 12) == 7 else ""),
                    style=STYLES[i % len(STYLES)],
                    lyric=LYRIC.format(i=i),
                    prompt=f"bench prompt {i}",
                    model_name="chirp-v4",
                    state=SongState.FAILED if i % 97 == 0 else SongState.SUCCEEDED,
                    duration=120 + i % 60,
                    is_fragment=i % 11 == 0,
                    raw={"id": f"bench-{i}", "padding": "y" * 1500},
                    created_at=start - timezone.timedelta(seconds=i),
                )
                for i in numbers
            ],
            batch_size=1000,
        )
    # Keep exactly 12 songs with the rare word, whatever the size.
    marked = list(
        Song.objects.filter(team=team, title__contains=RARE.title())
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for pk in marked[12:]:
        song = Song.objects.get(pk=pk)
        song.title = song.title.replace(f" {RARE.title()}", "")
        song.save()


def analyze():
    """Statistics (and PostgreSQL's visibility map) as a database in use has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def refresh_url(body):
    """The URL the page's live region polls (hx-get), as a browser would request it."""
    match = re.search(r'id="results"[^>]*?hx-get="([^"]+)"', body)
    return html.unescape(match.group(1)) if match else None


def measure_size(client, size, family_song, runs):
    from django.db import connection

    hx = {"HTTP_HX_REQUEST": "true"}
    page1 = client.get("/").content.decode()
    poll = refresh_url(page1)
    assert poll, "page 1 has work in flight, so it must poll"
    stale = re.sub(r"([?&]v=)[^&]*", r"\g<1>stale", poll) if "v=" in poll else poll
    from music.services import remembered

    # "first look": as after any change to the team (nothing remembered for its version).
    requests = [
        ("library, page 1", "/", {}),
        ("library, page 1, first look", "/", {"forget": True}),
        ("library, page 40", "/?page=40", {}),
        (f"library, search '{RARE}'", f"/?q={RARE}", {}),
        ("library, htmx refresh (changed)", stale, hx),
        ("library, unchanged refresh", poll, hx),
        ("song page (family)", f"/songs/{family_song.pk}/", {}),
        ("song page, first look", f"/songs/{family_song.pk}/", {"forget": True}),
        ("tasks page", "/tasks/", {}),
    ]
    figures = {}
    for label, path, headers in requests:
        forget = remembered.forget if headers.pop("forget", False) else (lambda: None)
        sql_ms = float("inf")
        for _ in range(3):
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    queries.append(time.perf_counter() - start)

            # A wrapper, not CaptureQueriesContext: each request resets Django's query log.
            forget()
            with connection.execute_wrapper(count):
                response = client.get(path, **headers)
            assert response.status_code in (200, 204), (label, response.status_code)
            sql_ms = min(sql_ms, sum(queries) * 1000)
        best = float("inf")
        for _ in range(runs):
            forget()
            start = time.process_time()
            client.get(path, **headers)
            best = min(best, time.process_time() - start)
        figures[label] = best * 1000
        size_kb = len(response.content) / 1024
        print(
            f"{size:>7}  {label:<34} {len(queries):>7} {best * 1000:>7.1f} {sql_ms:>7.1f}"
            f" {size_kb:>6.1f}"
        )
    return figures


if __name__ == "__main__":
    main()
