"""Serving the library page: the production server against `runserver`, same code, same run.

One team with 10,000 songs, DEBUG off, a signed-in member's library page requested at 8
concurrent connections for a bounded time on 127.0.0.1, against:

  (a) gunicorn exactly as `run_studio --no-queue` starts it (2 workers, studio/gunicorn.conf.py),
  (b) Django's `runserver` on the same code,
  (c) today's stack: `runserver` on the code before issue #12 (git ref c81348e), checked out
      into a temporary `git worktree` (removed afterwards) and served from the same database
      (its migrations must be a prefix of ours; the script checks).

The load comes from wrk (Debian's `wrk`; installed with apt-get when missing and running as
root), else from a Python client in a separate process (the script says which). Each server
runs alone; figures are the best of `--runs` runs (req/s: highest; CPU per request: lowest;
the machine is shared). CPU per request is utime+stime of the server's whole process tree
during the run, divided by the requests it answered.

Run: .venv/bin/python bench/serving.py [--seconds 10] [--runs 2] [--songs 10000] [--no-today]
(a throw-away SQLite database; set DATABASE_URL to measure on PostgreSQL: a database of its own)
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from _procs import descendants  # noqa: E402
from _setup import migrate_and_boot, studio_env  # noqa: E402

TODAY = "c81348e"  # the code before issue #12
PY = sys.executable
CONNECTIONS = 8
TICK = os.sysconf("SC_CLK_TCK")

# wrk's report, as one JSON line (latencies in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "connect": %d, "read": %d,'
    .. ' "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- set-up -------------------------------------------------------------------------------
def prepare(workdir, songs):
    """Migrate, collect static files, fill the team; returns (env for servers, cookie)."""
    from cryptography.fernet import Fernet

    env = studio_env(
        STUDIO_VAR_DIR=workdir / "var",
        DATABASE_URL=os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'serving.sqlite3'}"),
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY="serving-bench-" + os.urandom(16).hex(),
        STUDIO_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        LOG_LEVEL="WARNING",
    )
    migrate_and_boot(env)
    from _setup import fill_songs, session_cookie
    from django.contrib.auth import get_user_model

    from music.models import Membership
    from music.services.teams import ensure_demo

    user, team = ensure_demo("serving", "serving-pass-123", "Serving Team")
    others = []
    for n in range(5):
        other, _ = get_user_model().objects.get_or_create(username=f"serving-member-{n}")
        Membership.objects.get_or_create(team=team, user=other)
        others.append(other)
    fill_songs(team, [user, *others], songs)
    cookie = session_cookie(get_user_model().objects.get(pk=user.pk))
    from django.db import connections

    connections.close_all()
    return env, "; ".join(f"{k}={v}" for k, v in cookie.items())


def today_worktree(workdir, env):
    """c81348e in a temporary git worktree, with static files of its own, or None."""
    path = workdir / "today"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(path), TODAY],
        cwd=ROOT,
        check=True,
    )
    ours = sorted(p.name for p in (ROOT / "music" / "migrations").glob("0*.py"))
    theirs = sorted(p.name for p in (path / "music" / "migrations").glob("0*.py"))
    same = theirs == ours[: len(theirs)] and all(
        (path / "music" / "migrations" / n).read_bytes()
        == (ROOT / "music" / "migrations" / n).read_bytes()
        for n in theirs
    )
    if not same:
        raise SystemExit(
            f"{TODAY}'s migrations are not a prefix of ours: it needs a database of its own."
        )
    today_env = {**env, "STUDIO_VAR_DIR": str(workdir / "var-today")}
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=path,
        env=today_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path, today_env


def remove_worktree(path):
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)


# --- servers ------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu(pid):
    """utime + stime, in seconds, of a process and every descendant alive now."""
    total = 0
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


class Server:
    def __init__(self, label, args, cwd, env, log_path):
        self.label, self.args, self.cwd, self.env, self.log_path = label, args, cwd, env, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [PY, "manage.py", *self.args, f"127.0.0.1:{self.port}"],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/accounts/login/", timeout=3)
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        raise SystemExit(f"{self.label} did not start; see {self.log_path}")

    def __exit__(self, *exc):
        tree = descendants(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        for pid in [self.process.pid, *tree]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def cpu(self):
        return tree_cpu(self.process.pid)


# --- load ---------------------------------------------------------------------------------
def find_wrk():
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    log("installing Debian's wrk (apt-get install -y wrk)")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def run_wrk(wrk, url, cookie, seconds, script):
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            f"{url}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    report = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    errors = sum(report[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": report["requests"],
        "seconds": report["seconds"],
        "p50": report["p50"] / 1000,
        "p95": report["p95"] / 1000,
        "errors": errors,
    }


def run_python_client(url, cookie, seconds):
    """The fallback: this script's own client mode, in a separate process."""
    out = subprocess.run(
        [PY, __file__, "--client", url, "--cookie", cookie, "--seconds", str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def client_main(url, cookie, seconds):
    """8 threads, each its own keep-alive connection, GET the page until time is up."""
    import threading

    name, _, value = cookie.partition("=")
    times, errors, lock = [], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        with httpx.Client(cookies={name: value}, timeout=30) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    ok = client.get(f"{url}/").status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - start) * 1000
                with lock:
                    times.append(took)
                    errors[0] += not ok

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    print(
        json.dumps(
            {
                "requests": len(times),
                "seconds": time.monotonic() - began,
                "p50": times[len(times) // 2] if times else 0,
                "p95": times[int(len(times) * 0.95)] if times else 0,
                "errors": errors[0],
            }
        )
    )


def warm_up(url, cookie):
    """A few requests first (templates load, connections open); the page must be the
    signed-in library, not the login page."""
    name, _, value = cookie.partition("=")
    with httpx.Client(cookies={name: value}, timeout=60) as client:
        for _ in range(5):
            response = client.get(f"{url}/")
        if response.status_code != 200 or "Bench song 0" not in response.text:
            raise SystemExit(f"{url}/ is not the signed-in library: HTTP {response.status_code}")


def measure(server, cookie, seconds, load):
    warm_up(server.url, cookie)
    before = server.cpu()
    result = load(server.url, cookie, seconds)
    result["cpu_ms"] = (server.cpu() - before) * 1000 / max(1, result["requests"])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--runs", type=int, default=2, help="runs per server; the best counts")
    parser.add_argument("--songs", type=int, default=10000)
    parser.add_argument("--no-today", action="store_true", help=f"skip runserver on {TODAY}")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--cookie", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        client_main(args.client, args.cookie, args.seconds)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="studio-serving-"))
    worktree = None
    try:
        log(f"filling a team with {args.songs:,} songs in {workdir}")
        env, cookie = prepare(workdir, args.songs)
        wrk = find_wrk()
        if wrk:
            script = workdir / "report.lua"
            script.write_text(WRK_REPORT)
            tool = f"wrk ({wrk})"

            def load(url, cookie, seconds):
                return run_wrk(wrk, url, cookie, seconds, script)
        else:
            tool = "a Python client in a separate process (8 threads, keep-alive): no wrk here"
            load = run_python_client
        servers = [
            (
                "gunicorn",
                "gunicorn, 2 workers (run_studio --no-queue)",
                ROOT,
                env,
                ["run_studio", "--no-queue", "--workers", "2"],
            ),
            ("runserver", "runserver (same code)", ROOT, env, ["runserver", "--noreload"]),
        ]
        if not args.no_today:
            worktree, today_env = today_worktree(workdir, env)
            servers.append(
                (
                    "today",
                    f"runserver on {TODAY} (today)",
                    worktree,
                    today_env,
                    ["runserver", "--noreload"],
                )
            )
        results = {}
        for key, label, cwd, server_env, command in servers:
            runs = []
            with Server(label, command, cwd, server_env, workdir / f"{key}.log") as server:
                for n in range(args.runs):
                    runs.append(measure(server, cookie, args.seconds, load))
                    log(f"{label}, run {n + 1}: {runs[-1]['rps']:.1f} req/s")
            best = max(runs, key=lambda r: r["rps"])
            best["cpu_ms"] = min(r["cpu_ms"] for r in runs)
            best["errors"] = sum(r["errors"] for r in runs)
            results[key] = (label, best)
    finally:
        if worktree is not None:
            remove_worktree(worktree)
        shutil.rmtree(workdir, ignore_errors=True)

    database = env["DATABASE_URL"].split(":", 1)[0]
    print(
        f"library page, {args.songs:,} songs, signed in, DEBUG off, {CONNECTIONS} connections, "
        f"{args.seconds} s per run, best of {args.runs}; database {database}; load: {tool}"
    )
    header = f"{'server':<46}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'CPU ms/req':>12}"
    print(header)
    print("-" * len(header))
    for label, r in results.values():
        print(
            f"{label:<46}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['errors']:>8}"
            f"{r['cpu_ms']:>12.1f}"
        )
    print("(CPU: utime+stime of the server's process tree during the run / requests answered)")
    print(
        f"serving: library {results['gunicorn'][1]['rps']:.0f} req/s with gunicorn, "
        f"{results['runserver'][1]['rps']:.0f} req/s with runserver, same run"
    )
    if "today" in results:
        print(
            f"serving: library {results['today'][1]['rps']:.0f} req/s with runserver on "
            f"{TODAY} (today), same run"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
