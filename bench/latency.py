"""Latency from a job finishing upstream to its songs being playable in the library (issue #12).

Starts the real pieces as separate processes on 127.0.0.1: the simulator (`run_simulator
--control`, real pacing and real callbacks) and the studio (`run_studio`: gunicorn, the
django-q2 cluster and, where it exists, the poller). A member signs in through the login form
and submits jobs through the create form, `--jobs` with callbacks and `--jobs` without (the
simulator then loses every callback, as a provider that never calls back; the studio finds
the results by polling). A "browser" refreshes the library the way the page does (every
`--refresh` seconds from a random phase, htmx partial) and notes when each job's two songs
show as ready (`state-succeeded`: their audio is archived; each one's audio link is then
checked to play). The job's finish moment comes from the simulator's own ledger: created +
queued + running seconds, exactly when it starts answering "succeeded".

Run: .venv/bin/python bench/latency.py [--jobs 10] [--refresh 1] [--backend sqlite|pg]
Last line: `latency: callback median A s max B s; no callback median C s max D s`
"""

import argparse
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from _procs import Proc, Procs, wait_for  # noqa: E402
from _setup import migrate_and_boot, studio_env  # noqa: E402
from _studio import Member, Tally  # noqa: E402

PY = sys.executable
PASSWORD = "latency-bench-pass-1"
CARD = re.compile(
    r'<article class="[^"]*song-card[^"]*" id="song-([0-9a-f-]{36})"(.*?)</article>', re.S
)
STATE = re.compile(r'class="badge state-(\w+)"')
TITLE = re.compile(r"(LAT\d{4})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bench:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.procs = Procs()
        self.t0 = time.monotonic()
        self.seen = {}  # marker -> {song id: time it was first seen ready}
        self.lock = threading.Lock()
        self.stop_browser = threading.Event()

    def log(self, message):
        print(f"[{time.monotonic() - self.t0:6.1f}s] {message}", flush=True)

    def prepare(self):
        a = self.args
        self.tmp = Path(tempfile.mkdtemp(prefix=f"studio-latency-{a.backend}-"))
        self.sim_port, self.web_port = free_port(), free_port()
        self.key = f"latency-key-{self.rng.randrange(10**8):08d}"
        self.sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        if a.backend == "pg":
            import redis
            from faults import recreate_pg_database

            recreate_pg_database(a.pg_database)
            redis_url = f"redis://127.0.0.1:6379/{a.redis_db}"
            redis.Redis.from_url(redis_url).flushdb()
            database_url = f"postgres://postgres@127.0.0.1:5432/{a.pg_database}"
        else:
            database_url = f"sqlite:///{self.tmp / 'studio.sqlite3'}"
        env = studio_env(
            STUDIO_VAR_DIR=str(self.tmp / "var"),
            DATABASE_URL=database_url,
            SUNO_BASE_URL=self.sim_url,
            SUNO_API_KEY=self.key,
            STUDIO_PUBLIC_URL=self.web_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STUDIO_ALLOWED_PRIVATE_HOSTS=f"127.0.0.1:{self.sim_port}",
            SIMULATOR_MAX_DURATION=str(a.max_duration),
            Q_WORKERS="2",
            WEB_WORKERS="2",
        )
        if a.backend == "pg":
            env["REDIS_URL"] = redis_url
        self.env = env
        migrate_and_boot(env)
        from django.contrib.auth import get_user_model

        from music.services.teams import create_team

        user = get_user_model().objects.create_user("latency-member", password=PASSWORD)
        create_team("Latency Bench", user)
        from django.db import connections

        connections.close_all()
        self.log(f"work dir {self.tmp} ({a.backend}); simulator :{self.sim_port}")

    def start(self):
        a = self.args
        common = {"env": self.env, "cwd": ROOT, "log_dir": self.tmp}
        self.sim = self.procs.add(
            Proc(
                "simulator",
                [PY, "manage.py", "run_simulator", "--control", "--port", str(self.sim_port)]
                + ["--api-key", self.key, "--queued-seconds", str(a.queued_seconds)]
                + ["--running-seconds", str(a.running_seconds)]
                + ["--state", str(self.tmp / "simulator")],
                **common,
            ).start()
        )
        self.control = httpx.Client(
            base_url=self.sim_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60
        )
        if not wait_for(lambda: self._up(self.control, "/_simulator/faults"), 60):
            raise SystemExit(f"the simulator did not start:\n{self.sim.tail()}")
        self.studio = self.procs.add(
            Proc(
                "studio",
                [PY, "manage.py", "run_studio", f"127.0.0.1:{self.web_port}", "--workers", "2"],
                **common,
            ).start()
        )
        probe = httpx.Client(base_url=self.web_url, timeout=3)
        if not wait_for(lambda: self._up(probe, "/accounts/login/"), 90):
            raise SystemExit(f"the studio did not start:\n{self.studio.tail()}")
        self.tally = Tally()
        self.member = Member(self.web_url, "latency-member", PASSWORD, self.tally)
        self.member.login()
        self.browser = Member(self.web_url, "latency-member", PASSWORD, self.tally)
        self.browser.login()
        time.sleep(a.settle)  # let the cluster start (its scheduler, workers) as in real life
        self.log("simulator and studio are up; signed in")

    @staticmethod
    def _up(client, path):
        try:
            return client.get(path, timeout=3).status_code < 500
        except httpx.HTTPError:
            return False

    # --- the browser ---------------------------------------------------------------------
    def browse(self):
        """Refresh the library's results every `refresh` s (htmx partial), from a random phase."""
        period = self.args.refresh
        self.stop_browser.wait(self.rng.uniform(0, period))
        nxt = time.monotonic()
        while not self.stop_browser.is_set():
            try:
                page = self.browser.client.get("/", headers={"HX-Request": "true"})
                seen_at = time.time()
                if page.status_code == 200:
                    self.note(page.text, seen_at)
            except httpx.HTTPError as exc:
                self.log(f"browser: {exc!r}")
            nxt += period
            self.stop_browser.wait(max(0.0, nxt - time.monotonic()))

    def note(self, html, seen_at):
        for song_id, body in CARD.findall(html):
            state = STATE.search(body)
            title = TITLE.search(body)
            if not (state and title and state[1] == "succeeded"):
                continue
            with self.lock:
                self.seen.setdefault(title[1], {}).setdefault(song_id, seen_at)

    # --- jobs ------------------------------------------------------------------------------
    def submit(self, marker):
        page = self.member.get("/create/")
        from _forms import find_form

        form = find_form(page.text, form_id="create-form")
        data = form.data(
            mode="custom",
            title=f"{marker} latency",
            lyric=f"[Verse]\n{marker} counting every second\nwaiting for the song\n"
            "[Chorus]\nhere it comes\nhere it comes",
            style="synth pop, female vocals",
        )
        answer = self.member.post("/create/", data)
        if answer.status_code not in (200, 302):
            raise SystemExit(f"submit {marker}: HTTP {answer.status_code}")

    def phase(self, name, markers, plan):
        self.control.post("/_simulator/faults", json=plan).raise_for_status()
        self.log(f"{name}: submitting {len(markers)} jobs")
        for marker in markers:
            self.submit(marker)
            time.sleep(self.rng.uniform(*self.args.spacing))
        deadline = time.monotonic() + self.args.timeout
        while time.monotonic() < deadline:
            with self.lock:
                done = sum(len(self.seen.get(m, {})) >= 2 for m in markers)
            if done == len(markers):
                break
            time.sleep(0.5)
        self.log(f"{name}: {done} of {len(markers)} jobs visible")

    def finishes(self):
        """marker -> the moment the simulator's job finished (its clock)."""
        ledger = self.control.get("/_simulator/ledger").json()["jobs"]
        a = self.args
        out = {}
        for job in ledger:
            found = TITLE.search(str(job["request"].get("title", "")))
            if found:
                out[found[1]] = job["created"] + a.queued_seconds + a.running_seconds
        return out

    def check_playable(self):
        """Every song counted as visible serves its audio (a playable link)."""
        bad = 0
        for songs in self.seen.values():
            for song_id in songs:
                answer = self.browser.client.get(
                    f"/songs/{song_id}/audio/", headers={"Range": "bytes=0-1023"}
                )
                bad += answer.status_code not in (200, 206) or len(answer.content) < 100
        return bad

    def run(self):
        a = self.args
        self.prepare()
        self.start()
        browser = threading.Thread(target=self.browse, daemon=True)
        browser.start()
        with_cb = [f"LAT{i:04d}" for i in range(1, a.jobs + 1)]
        without = [f"LAT{i:04d}" for i in range(a.jobs + 1, 2 * a.jobs + 1)]
        try:
            self.phase("callbacks", with_cb, {})
            self.phase("no callbacks", without, {"lose_callback": 1.0})
        finally:
            self.stop_browser.set()
            browser.join(timeout=10)
        finished = self.finishes()
        rows = []
        print(f"\n{'job':<9} {'mode':<12} {'finished':>9} {'visible':>9} {'latency s':>9}")
        for mode, markers in (("callback", with_cb), ("no callback", without)):
            for m in markers:
                songs = self.seen.get(m, {})
                end = finished.get(m)
                if end is None or len(songs) < 2:
                    rows.append((mode, None))
                    print(f"{m:<9} {mode:<12} {'-':>9} {'-':>9} {'not seen':>9}")
                    continue
                visible = max(songs.values())
                rows.append((mode, visible - end))
                print(
                    f"{m:<9} {mode:<12} {end % 1000:9.2f} {visible % 1000:9.2f} "
                    f"{visible - end:9.2f}"
                )
        unplayable = self.check_playable()
        print(f"songs seen: {sum(map(len, self.seen.values()))}; not playable: {unplayable}")
        print(f"server errors: {len(self.tally.server_errors)}")

        def figures(mode):
            values = [v for m, v in rows if m == mode and v is not None]
            missing = sum(1 for m, v in rows if m == mode and v is None)
            if missing:
                print(f"{mode}: {missing} jobs never became visible (counted as the time-out)")
                values += [float(a.timeout)] * missing
            return statistics.median(values), max(values)

        cm, cx = figures("callback")
        nm, nx = figures("no callback")
        print(
            f"latency: callback median {cm:.1f} s max {cx:.1f} s; "
            f"no callback median {nm:.1f} s max {nx:.1f} s"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10, help="jobs per mode")
    parser.add_argument("--refresh", type=float, default=1.0, help="UI refresh period, s")
    parser.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--pg-database", default="studio_latency")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--queued-seconds", type=float, default=1.0)
    parser.add_argument("--running-seconds", type=float, default=4.0)
    parser.add_argument("--max-duration", type=float, default=60.0)
    parser.add_argument("--spacing", type=float, nargs=2, default=(1.0, 3.0))
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.run()
    finally:
        if getattr(bench, "studio", None) is not None:
            bench.studio.stop(grace=40)  # run_studio stops its own children first
        bench.procs.stop_all()


if __name__ == "__main__":
    main()
