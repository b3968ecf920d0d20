"""Fault benchmark (issue #9): a user action pays at most once; a song the provider made always
reaches the library; every task ends.

Starts its own simulator (with control endpoints), `--web` web processes (`run_studio
--no-queue`: gunicorn) and `--queues` queue processes (`run_studio --no-web`) on loopback,
signs in two members through the login form, and drives every kind of user action through
the real forms (each request to the next web server in turn; the two sides of a race to
different ones) while the simulator injects faults (every kind at `--rate`), queue workers are
SIGKILLed while submits are in flight and a web server is SIGKILLed in the middle of bursts of
POSTs (and restarted). Then it stops issuing, turns the
faults off, waits (bounded) until every task has ended, and counts from the simulator's ledger
(what was paid) and the studio's database (what the team got):

- double-paid: intents (one user action; a two-member race on the same song is one) with more
  than one paid job;
- lost: paid jobs the provider finished whose result is not in the library;
- stuck: tasks still not ended after their deadline;
- server errors: HTTP 5xx answers the studio gave (connection errors while the web server was
  being killed are counted apart).

Run: .venv/bin/python bench/faults.py [--backend sqlite|pg] [--actions N] [--rate R] [--seed S]
[--format sunohub|relay] [--web N] [--queues N]
(`--actions` is per kind of action; the last line sums them up.)
"""

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from _procs import ClusterLog, Proc, Procs, wait_for  # noqa: E402
from _setup import migrate_and_boot, studio_env  # noqa: E402
from _studio import Down, Member, Tally  # noqa: E402

PY = sys.executable
KINDS = (
    "create",
    "extend",
    "cover",
    "concat",
    "stems",
    "upload",
    "upload_continue",
    "persona",
    "persona_song",
    "wav",
    "mp4",
    "timing",
    "replace_section",
)
RACE_KINDS = ("concat", "stems", "wav", "mp4")
ONCE_PER_SONG = ("concat", "stems", "wav", "mp4", "timing")
SONG_KINDS = {
    "create",
    "extend",
    "cover",
    "concat",
    "stems",
    "upload",
    "upload_continue",
    "persona_song",
    "replace_section",
}
TERMINAL = ("succeeded", "failed")
UPLOADED = {"upload", "upload_generate", "upload_extend"}
MARK = re.compile(r"FX(\d{6})")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "fault-bench-pass-1"
BASE_SONGS = 10

# What a paid call was, from the simulator's ledger: (path, action or relay task) -> kind.
AUDIOS_KIND = {
    "generate": "create",
    "extend": "extend",
    "upload_extend": "extend",
    "cover": "cover",
    "concat": "concat",
    "stems": "stems",
    "replace_section": "replace_section",
    "artist_consistency": "persona_song",
    "upload_generate": "upload_continue",
}
RELAY_TASK_KIND = {
    "": "create",
    "extend": "extend",
    "upload_extend": "extend",
    "cover": "cover",
    "infill": "replace_section",
    "artist_consistency": "persona_song",
    "gen_stem": "stems",
}
PATH_KIND = {
    "/suno/upload": "upload",
    "/suno/persona": "persona",
    "/suno/timing": "timing",
    "/suno/wav": "wav",
    "/suno/mp4": "mp4",
    "/suno/submit/concat": "concat",
    "/suno/uploads/audio-url": "upload",
    "/suno/persona/create": "persona",
}
TASK_KIND = {
    "generate": "create",
    "upload_generate": "upload_continue",
    "upload_extend": "extend",
    "artist_consistency": "persona_song",
}


def ledger_kind(job):
    path, request = job["path"], job["request"]
    if path == "/suno/audios":
        return AUDIOS_KIND.get(request.get("action") or "generate", request.get("action"))
    if path == "/suno/submit/music":
        return RELAY_TASK_KIND.get(request.get("task") or "", request.get("task"))
    if path.startswith("/suno/act/"):
        return path.split("/")[3]
    return PATH_KIND.get(path, path)


def markers(value):
    """Every FX marker in a request's strings (the bench writes one into each action)."""
    if isinstance(value, str):
        return [int(m) for m in MARK.findall(value)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in markers(v)]
    if isinstance(value, list):
        return [m for v in value for m in markers(v)]
    return []


def source_clip(job):
    """The clip a job works on: a request field, or the path of a relay's GET side call."""
    request = job["request"]
    for name in ("audio_id", "clip_id", "continue_clip_id", "root_clip_id", "arg"):
        if request.get(name):
            return request[name]
    if job["path"].startswith("/suno/act/"):
        return job["path"].rsplit("/", 1)[-1]
    return ""


UPLOAD_PATHS = ("/suno/upload", "/suno/uploads/audio-url")
UPLOAD_STEP = "upload_continue (upload step)"


def intent_key(job, kind):
    """One user action: its marker (the newest in the request: a child's is always newer than
    what it inherits from its parent), else (kind, source clip) for once-per-song actions.

    A relay has no one-step upload-and-continue: the studio uploads, then continues, two paid
    calls by design; the upload step is keyed apart so it is not counted as a second payment.
    """
    found = markers({k: v for k, v in job["request"].items() if k != "callback_url"})
    if found:
        return f"FX{max(found):06d}" + (":upload-step" if kind == UPLOAD_STEP else "")
    return f"{kind}:{source_clip(job)}"


def job_kind(job, issued):
    """The kind of action a paid job was for: the bench's own record of the marker in the
    request when there is one, else what the endpoint and action say."""
    found = markers({k: v for k, v in job["request"].items() if k != "callback_url"})
    kind = issued.get(f"FX{max(found):06d}") if found else None
    if kind == "upload_continue" and job["path"] in UPLOAD_PATHS:
        return UPLOAD_STEP
    return kind or ledger_kind(job)


@dataclass
class Action:
    seq: int
    kind: str
    member: str
    key: str
    started: float
    statuses: list = field(default_factory=list)
    note: str = ""
    race: bool = False
    burst: bool = False


class Bench:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.tally = Tally()
        self.procs = Procs()
        self.actions = []
        self.lock = threading.Lock()
        self.seq = 0
        self.used = defaultdict(set)  # once-per-song kind -> song ids
        self.replaced = Counter()  # song id -> replacements asked
        self.events = Counter()
        self.t0 = time.monotonic()
        # Songs made before the faults start (extensions, covers, ... need some): part of
        # the `create` actions.
        self.base_songs = min(BASE_SONGS, args.actions)

    # --- setup -----------------------------------------------------------------------------
    def log(self, message):
        print(f"[{time.monotonic() - self.t0:7.1f}s] {message}", flush=True)

    def prepare(self):
        a = self.args
        self.tmp = Path(tempfile.mkdtemp(prefix=f"studio-faults-{a.backend}-"))
        self.sim_port = free_port()
        self.web_ports = [free_port() for _ in range(a.web)]
        self.key = f"fault-key-{self.rng.randrange(10**8):08d}"
        self.sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.web_urls = [f"http://127.0.0.1:{port}" for port in self.web_ports]
        self.web_url = self.web_urls[0]  # the public URL: callbacks come here
        if a.backend == "pg":
            recreate_pg_database(a.pg_database)
            self.owns_db = True
            import redis

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
            SUNO_TIMEOUT="4",
            SUNO_TASK_DEADLINE_MINUTES="3",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STUDIO_ALLOWED_PRIVATE_HOSTS=f"127.0.0.1:{self.sim_port}",
            SIMULATOR_MAX_DURATION="20",
            Q_WORKERS="2",
            WEB_WORKERS=str(a.web_workers),
            LOG_LEVEL="INFO",
        )
        if a.backend == "pg":
            env["REDIS_URL"] = redis_url
        self.env = env
        self.log(
            f"work dir {self.tmp} ({a.backend}); simulator :{self.sim_port}, "
            f"web {', '.join(f':{port}' for port in self.web_ports)}, {a.queues} queue process(es)"
        )
        migrate_and_boot(env)
        self.make_team()

    def make_team(self):
        from django.contrib.auth import get_user_model

        from music.models import Membership, ProviderAccount, Role
        from music.services.teams import create_team

        User = get_user_model()
        owner = User.objects.create_user("fault-owner", password=PASSWORD)
        member = User.objects.create_user("fault-member", password=PASSWORD)
        team = create_team("Fault Bench", owner)
        team.pro_pool = True  # stems, WAV, covers and personas need it
        team.save()
        Membership.objects.create(team=team, user=member, role=Role.MEMBER)
        if self.args.format == "relay":
            account = ProviderAccount(
                team=team, name="Relay (simulator)", format="relay", base_url=self.sim_url
            )
            account.is_default = True
            account.set_api_key(self.key)
            account.save()
        self.team = team

    def start(self):
        common = {"env": self.env, "cwd": ROOT, "log_dir": self.tmp}
        self.sim = self.procs.add(
            Proc(
                "simulator",
                [
                    PY,
                    "manage.py",
                    "run_simulator",
                    "--control",
                    "--port",
                    str(self.sim_port),
                    "--api-key",
                    self.key,
                    "--queued-seconds",
                    "1",
                    "--running-seconds",
                    "3",
                    "--state",
                    str(self.tmp / "simulator"),
                ],
                **common,
            ).start()
        )
        self.control = httpx.Client(
            base_url=self.sim_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60
        )
        if not wait_for(lambda: self._up(self.control, "/_simulator/faults"), 60):
            raise SystemExit(f"the simulator did not start:\n{self.sim.tail()}")
        # What an operator runs: `run_studio --no-queue` (gunicorn) per web process,
        # `run_studio --no-web` (the queue side, everything it starts) per queue process.
        self.webs = [
            self.procs.add(
                Proc(
                    f"web{i}",
                    [PY, "manage.py", "run_studio", f"127.0.0.1:{port}", "--no-queue"],
                    **common,
                )
            )
            for i, port in enumerate(self.web_ports)
        ]
        for web in self.webs:
            self.start_web(web)
        self.queues = [
            self.procs.add(Proc(f"queue{i}", [PY, "manage.py", "run_studio", "--no-web"], **common))
            for i in range(self.args.queues)
        ]
        for queue in self.queues:
            queue.start()
            queue.cluster_log = ClusterLog(queue.log_path)
        for queue in self.queues:
            wait_for(lambda q=queue: len(q.cluster_log.workers(q.pid)) >= 2, 60)
        self.members = [
            Member(self.web_urls, "fault-owner", PASSWORD, self.tally),
            Member(self.web_urls, "fault-member", PASSWORD, self.tally),
        ]
        for member in self.members:
            member.login()
        self.log(
            f"simulator, {len(self.webs)} web and {len(self.queues)} queue process(es) are up;"
            " two members signed in (each request goes to the next web server in turn)"
        )

    @staticmethod
    def _up(client, path):
        try:
            return client.get(path, timeout=3).status_code < 500
        except httpx.HTTPError:
            return False

    def start_web(self, web):
        web.start()
        url = self.web_urls[self.webs.index(web)]
        probe = httpx.Client(base_url=url, timeout=3)
        try:
            if not wait_for(lambda: self._up(probe, "/accounts/login/"), 60):
                raise SystemExit(f"the web server did not start:\n{web.tail()}")
        finally:
            probe.close()

    def set_faults(self, plan):
        response = self.control.post("/_simulator/faults", json=plan)
        response.raise_for_status()
        return response.json()

    # --- the studio's state (read from its database) ----------------------------------------
    def songs(self):
        from music.models import Song

        return list(
            Song.objects.filter(team=self.team, state="succeeded")
            .exclude(audio_file="")
            .values(
                "id",
                "upstream_id",
                "relation",
                "is_pro",
                "is_fragment",
                "lyric",
                "instrumental",
                "duration",
                "wav_file",
                "video_file",
                "task__action",
                "parent__task__action",
                "root__task__action",
            )
        )

    def backlog(self):
        from music.models import Task

        return Task.objects.filter(team=self.team, state__in=["queued", "submitting"]).count()

    def active_tasks(self):
        """Tasks not ended, and songs still being saved (their media is archived by a job of
        its own after the task ends)."""
        from music.models import Song, Task

        return (
            Task.objects.filter(team=self.team).exclude(state__in=TERMINAL).count()
            + Song.objects.filter(team=self.team, state="saving").count()
        )

    # --- actions ------------------------------------------------------------------------------
    def next_marker(self):
        with self.lock:
            self.seq += 1
            return self.seq, f"FX{self.seq:06d}"

    def record(self, kind, member, key, **extra):
        seq = int(key[2:]) if key.startswith("FX") else 0
        action = Action(seq, kind, member.username, key, time.monotonic() - self.t0, **extra)
        with self.lock:
            self.actions.append(action)
        return action

    def targets(self, kind, songs, timed, personas):
        """Songs (or personas) this kind of action can be issued on now."""
        whole = {"generated", "covered", "persona", "concatenated", "extended"}

        def pro(s):
            # Pro-made, and not joined from an upload: the simulator does not count a whole
            # song with an uploaded part as Pro-made (the studio does), so WAV, stems and
            # personas of it are refused upstream; that disagreement is not what this measures.
            family = (s["task__action"], s["parent__task__action"], s["root__task__action"])
            return s["is_pro"] and not UPLOADED & set(family)

        if kind == "create":
            return [None]
        if kind == "extend":
            return [s for s in songs if s["relation"] in whole | {"uploaded"}]
        if kind == "cover":
            return [s for s in songs if s["relation"] in whole]
        if kind == "concat":
            return [s for s in songs if s["is_fragment"] and s["id"] not in self.used["concat"]]
        if kind == "stems":
            return [
                s
                for s in songs
                if pro(s) and s["relation"] in whole and s["id"] not in self.used["stems"]
            ]
        if kind in ("upload", "upload_continue"):
            return [s for s in songs if s["relation"] != "stem"]
        if kind == "persona":
            return [s for s in songs if pro(s) and s["relation"] in whole]
        if kind == "persona_song":
            return personas
        if kind == "wav":
            return [
                s
                for s in songs
                if pro(s)
                and s["relation"] in whole
                and not s["wav_file"]
                and s["id"] not in self.used["wav"]
            ]
        if kind == "mp4":
            return [
                s
                for s in songs
                if s["relation"] in whole
                and not s["video_file"]
                and s["id"] not in self.used["mp4"]
            ]
        if kind == "timing":
            return [
                s
                for s in songs
                if s["relation"] in whole
                and s["lyric"]
                and not s["instrumental"]
                and s["id"] not in timed
                and s["id"] not in self.used["timing"]
            ]
        if kind == "replace_section":
            return [s for s in songs if s["id"] in timed and self.replaced[s["id"]] < 3]
        raise ValueError(kind)

    def prepare_action(self, kind, member, target):
        """GET the action's page and fill its form: (path to POST, data, intent key), or None."""
        seq, mark = self.next_marker()
        if kind == "create":
            form, _ = member.form("/create/", form_id="create-form")
            if form is None:
                return None
            if seq % 2:
                data = form.data(mode="inspiration", prompt=f"{mark} a song about {words(seq)}")
            else:
                data = form.data(
                    mode="custom",
                    title=f"{mark} {words(seq)}",
                    lyric=lyric(mark, seq),
                    style="synth pop, female vocals",
                )
            return "/create/", data, mark
        if kind == "persona_song":
            path = f"/personas/{target}/sing/"
            form, _ = member.form(path, has="prompt")
            if form is None:
                return None
            return path, form.data(prompt=f"{mark} a new song for this voice, {words(seq)}"), mark
        song = target
        sid = song["id"]
        if kind == "extend":
            path = f"/songs/{sid}/extend/"
            form, _ = member.form(path, has="continue_at")
            if form is None:
                return None
            at = max(1.0, int((song["duration"] or 10) * 80) / 100)
            data = form.data(
                continue_at=f"{at:.2f}", lyric=extension_lyric(mark), title=f"{mark} more"
            )
            return path, data, mark
        if kind == "cover":
            path = f"/songs/{sid}/cover-version/"
            form, _ = member.form(path, has="style")
            if form is None:
                return None
            return path, form.data(style="acoustic folk", title=f"{mark} cover"), mark
        if kind == "persona":
            path = f"/songs/{sid}/persona/"
            form, _ = member.form(path, has="name")
            if form is None:
                return None
            return path, form.data(name=f"{mark} voice", description="warm and husky"), mark
        if kind in ("upload", "upload_continue"):
            form, _ = member.form("/upload/", form_id="upload-form")
            if form is None:
                return None
            url = f"{self.sim_url}/media/{song['upstream_id']}.mp3?n={mark}"
            if kind == "upload":
                data = form.data(audio_url=url, mode="upload")
            else:
                at = min(5.0, int((song["duration"] or 10) * 50) / 100)
                data = form.data(
                    audio_url=url,
                    mode="continue",
                    continue_at=f"{at:.2f}",
                    lyric=extension_lyric(mark),
                    style="lofi",
                    title=f"{mark} continued",
                )
            return "/upload/", data, mark
        if kind == "replace_section":
            path = f"/songs/{sid}/edit-section/"
            form, _ = member.form(path, form_id="section-form")
            if form is None or not form.options.get("first"):
                return None
            line = self.rng.choice(form.options["first"])
            data = form.data(
                first=line,
                last=line,
                new_lines=f"{mark} brand new words\nsung right here",
                auto_concat=None,
            )
            with self.lock:
                self.replaced[sid] += 1
            return path, data, mark
        if kind in ONCE_PER_SONG:
            path = f"/songs/{sid}/do/{kind}/"
            form, _ = member.form(f"/songs/{sid}/", action=path)
            if form is None:
                return None
            return path, form.data(), f"{kind}:{song['upstream_id']}"
        raise ValueError(kind)

    def post(self, action, member, path, data):
        try:
            response = member.post(path, data)
        except Down as exc:
            action.statuses.append("down")
            action.note = str(exc)
            return
        action.statuses.append(response.status_code)
        if response.status_code == 200:
            action.note = first_error(response.text) or "form shown again"
        elif response.status_code == 409:
            action.note = first_error(response.text) or "refused"

    def run_action(self, kind, member, target):
        try:
            prepared = self.prepare_action(kind, member, target)
        except Down:
            prepared = None
        if prepared is None:
            return None
        path, data, key = prepared
        action = self.record(kind, member, key)
        self.post(action, member, path, data)
        return action

    def race(self, kind, song):
        """Two members POST the same once-per-song action on the same song at the same moment."""
        self.used[kind].add(song["id"])
        barrier = threading.Barrier(2)
        prepared, action = [None, None], None

        def one(i):
            member = self.members[i]
            try:
                prepared[i] = self.prepare_action(kind, member, song)
            except Down:
                prepared[i] = None
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                return
            if prepared[i] is not None and action is not None:
                # With several web servers, each member posts to a different one.
                url = self.web_urls[i % len(self.web_urls)] + prepared[i][0]
                self.post(action, member, url, prepared[i][1])
            member.close()

        action = self.record(kind, self.members[0], f"{kind}:{song['upstream_id']}", race=True)
        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.events["races"] += 1
        return action

    # --- chaos ------------------------------------------------------------------------------
    def kill_worker(self):
        """SIGKILL a queue worker (of any queue process), preferably one in the middle of
        sending a submit."""
        queues = [q for q in self.queues if q.alive()]
        if not queues:
            return
        busy = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not busy:
            busy = [p for q in queues for p in q.cluster_log.busy_with(q.pid, "submit-")]
            if not busy:
                time.sleep(0.1)
        victims = busy or [p for q in queues for p in q.cluster_log.workers(q.pid).values()]
        if not victims:
            return
        pid = self.rng.choice(victims)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.events["worker kills (mid-submit)" if busy else "worker kills (idle/other)"] += 1
        self.log(f"SIGKILL queue worker {pid}{' (sending a submit)' if busy else ''}")

    def check_cluster(self):
        for queue in self.queues:
            if not queue.alive():
                self.log(f"{queue.name} is gone; starting it again")
                queue.stop(grace=1)
                queue.start()
                queue.cluster_log = ClusterLog(queue.log_path)
                queue.cluster_log.offset = queue.log_path.stat().st_size
                self.events["cluster restarts"] += 1

    def web_kill_burst(self, pick):
        """A burst of POSTs in flight, then SIGKILL a web server (one of them, when there
        are several: the others keep serving), then start it again."""
        size = 6
        jobs = [pick() for _ in range(size)]
        jobs = [j for j in jobs if j is not None]
        barrier = threading.Barrier(len(jobs) + 1)

        def one(i, kind, target):
            member = self.members[i % 2]
            try:
                prepared = self.prepare_action(kind, member, target)
            except Down:
                prepared = None
            try:
                barrier.wait(timeout=60)
            except threading.BrokenBarrierError:
                member.close()
                return
            if prepared is not None:
                action = self.record(kind, member, prepared[2], burst=True)
                self.post(action, member, prepared[0], prepared[1])
            member.close()

        threads = [
            threading.Thread(target=one, args=(i, kind, target), daemon=True)
            for i, (kind, target) in enumerate(jobs)
        ]
        for t in threads:
            t.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=60)
        self.tally.window = True
        time.sleep(self.rng.uniform(0.02, 0.3))
        web = self.rng.choice(self.webs)
        web.kill_group()
        web.popen.wait(timeout=10)
        for t in threads:
            t.join(60)
        self.log(f"SIGKILL {web.name} with {len(jobs)} POSTs in flight; restarting it")
        self.start_web(web)
        self.tally.window = False
        self.events["web kills"] += 1

    # --- the run ------------------------------------------------------------------------------
    def make_base_songs(self):
        base = self.base_songs
        self.log(f"making {base} base songs with no faults")
        for i in range(base):
            self.run_action("create", self.members[i % 2], None)
            time.sleep(0.2)
        ok = wait_for(lambda: len(self.songs()) >= base, 300, every=2)
        self.log(f"{len(self.songs())} songs ready{'' if ok else ' (fewer than hoped)'}")

    def issue(self):
        a = self.args
        plan = {
            "rate": a.rate,
            "seed": a.seed,
            "timeout_sleep": 8.0,
            "slow_sleep": 2.0,
        }
        self.log(f"fault plan: {json.dumps(self.set_faults(plan))}")
        remaining = {kind: a.actions for kind in KINDS}
        remaining["create"] -= self.base_songs
        total = sum(remaining.values())
        races = {kind: max(3, a.actions // 20) for kind in RACE_KINDS}
        # At which issued-action counts to kill a queue worker / the web server.
        worker_kills = sorted(self.rng.sample(range(total // 10, total), max(4, total // 150)))
        web_kills = sorted(
            self.rng.sample(range(total // 10, total * 9 // 10), max(3, total // 300))
        )
        deadline = time.monotonic() + a.issue_minutes * 60
        issued, idle_since, last_report = 0, None, time.monotonic()
        state = {}
        misses = Counter()  # (kind, target) -> times its page had no form for the action

        def refresh():
            from music.models import LyricTiming, Persona

            state["songs"] = self.songs()
            state["timed"] = set(
                LyricTiming.objects.filter(song__team=self.team)
                .exclude(words=[])
                .values_list("song_id", flat=True)
            )
            state["personas"] = list(
                Persona.objects.filter(team=self.team).values_list("id", flat=True)
            )

        def pick():
            options = []
            for kind, left in remaining.items():
                if left <= 0:
                    continue
                found = self.targets(kind, state["songs"], state["timed"], state["personas"])
                # A page that kept not offering the action (a relay offers timing only for
                # some models, say) is not picked again.
                found = [t for t in found if misses[(kind, ident(t))] < 3]
                if found:
                    options.append((kind, left, found))
            if not options:
                return None
            kind, _, found = self.rng.choices(options, weights=[o[1] for o in options])[0]
            target = self.rng.choice(found)
            remaining[kind] -= 1
            if kind in ONCE_PER_SONG:
                self.used[kind].add(target["id"])
            return kind, target

        while sum(max(0, v) for v in remaining.values()) > 0:
            if time.monotonic() > deadline:
                self.log("issue time is up; stopping with actions left: " + fmt(remaining))
                break
            self.check_cluster()
            refresh()
            if web_kills and issued >= web_kills[0]:
                web_kills.pop(0)
                before = len(self.actions)
                self.web_kill_burst(pick)
                issued += len(self.actions) - before
                continue
            if worker_kills and issued >= worker_kills[0]:
                worker_kills.pop(0)
                self.kill_worker()
            choice = pick()
            if choice is None:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 240:
                    self.log("no targets for the kinds left for 4 minutes: " + fmt(remaining))
                    break
                if time.monotonic() - idle_since > 20 and not self.active_tasks():
                    # Nothing in flight can make a new target: waiting would not help.
                    self.log("no targets for the kinds left, nothing in flight: " + fmt(remaining))
                    break
                time.sleep(2)
                continue
            idle_since = None
            kind, target = choice
            if (
                kind in RACE_KINDS
                and races[kind] > 0
                and (self.rng.random() < 0.3 or remaining[kind] < races[kind])
            ):
                races[kind] -= 1
                self.race(kind, target)
            else:
                member = self.members[issued % 2]
                if self.run_action(kind, member, target) is None:
                    remaining[kind] += 1  # the page was not there: try again later
                    misses[(kind, ident(target))] += 1
                    if kind in ONCE_PER_SONG:
                        self.used[kind].discard(target["id"])
                    time.sleep(0.5)
                    continue
            issued += 1
            self.throttle()
            if time.monotonic() - last_report > 30:
                last_report = time.monotonic()
                self.log(
                    f"{len(self.actions)} actions issued; backlog {self.backlog()}, "
                    f"active tasks {self.active_tasks()}; left: {fmt(remaining)}"
                )
        self.log(f"issued {len(self.actions)} actions")

    def throttle(self):
        """Keep the queue's backlog small, so tasks fail for faults, not for waiting in line."""
        waited = time.monotonic()
        while self.backlog() > self.args.max_backlog and time.monotonic() - waited < 20:
            time.sleep(0.5)
        time.sleep(self.rng.uniform(0.1, 0.5))

    def settle(self):
        self.set_faults({})
        self.log("faults off; waiting for every task to end")
        deadline = time.monotonic() + self.args.settle_minutes * 60
        last = None
        while time.monotonic() < deadline:
            self.check_cluster()
            active = self.active_tasks()
            if active == 0:
                break
            if active != last:
                self.log(f"{active} tasks still active")
                last = active
            time.sleep(5)
        self.log(f"{self.active_tasks()} tasks active; a short wait for late results")
        time.sleep(self.args.late_seconds)

    # --- figures ------------------------------------------------------------------------------
    def figures(self):
        from django.utils import timezone

        from music.models import LyricTiming, Persona, Song, Task

        jobs = self.control.get("/_simulator/ledger", timeout=120).json()
        ledger, hits = jobs["jobs"], jobs["hits"]
        paid = [j for j in ledger if j["billable"]]
        songs = {
            s["upstream_id"]: s
            for s in Song.objects.filter(team=self.team).values(
                "upstream_id", "state", "audio_file", "wav_file", "video_file", "id"
            )
        }
        personas = set(Persona.objects.filter(team=self.team).values_list("upstream_id", flat=True))
        timed = set(
            LyricTiming.objects.filter(song__team=self.team).values_list(
                "song__upstream_id", flat=True
            )
        )

        def in_library(job, kind):
            if kind == "persona":
                persona_id = (job.get("side") or {}).get("persona_id", "")
                return persona_id in personas
            if kind in ("wav", "mp4", "timing"):
                song = songs.get(source_clip(job))
                if song is None:
                    return False
                if kind == "timing":
                    return song["upstream_id"] in timed
                return bool(song["wav_file" if kind == "wav" else "video_file"])
            clip_ids = job["clip_ids"]
            if not clip_ids and kind == "upload":  # a relay upload answers its clip inline
                return False
            return bool(clip_ids) and all(
                c in songs and songs[c]["state"] == "succeeded" and songs[c]["audio_file"]
                for c in clip_ids
            )

        rows = {kind: Counter() for kind in KINDS}
        intents = defaultdict(list)
        lost_jobs = []
        issued = {a.key: a.kind for a in self.actions if a.key.startswith("FX")}
        for job in paid:
            kind = job_kind(job, issued)
            row = rows.setdefault(kind, Counter())
            row["jobs"] += 1
            intents[intent_key(job, kind)].append((kind, job))
            if job["phase"] == "succeeded" and kind == UPLOAD_STEP:
                row["succeeded"] += 1  # its clip is the source of the continuation, not a song
            elif job["phase"] == "succeeded":
                row["succeeded"] += 1
                if in_library(job, kind):
                    row["in library"] += 1
                else:
                    row["lost"] += 1
                    lost_jobs.append((kind, job))
        double = {key: found for key, found in intents.items() if len(found) > 1}
        for found in double.values():
            rows[found[0][0]]["double-paid"] += 1
        for action in self.actions:
            rows.setdefault(action.kind, Counter())["actions"] += 1
        failed_codes = defaultdict(Counter)
        now = timezone.now()
        tasks = list(
            Task.objects.filter(team=self.team).values(
                "action", "state", "error_code", "deadline_at", "upstream_id"
            )
        )
        task_of_job = {t["upstream_id"]: t for t in tasks if t["upstream_id"]}
        for task in tasks:
            kind = TASK_KIND.get(task["action"], task["action"])
            row = rows.setdefault(kind, Counter())
            row["tasks"] += 1
            if task["state"] == "failed":
                row["failed"] += 1
                failed_codes[kind][task["error_code"] or "?"] += 1
        stuck = [
            t
            for t in tasks
            if t["state"] not in TERMINAL and t["deadline_at"] and t["deadline_at"] < now
        ]
        active = [t for t in tasks if t["state"] not in TERMINAL]

        print()
        print(
            f"fault benchmark: backend {self.args.backend}, format {self.args.format}, "
            f"rate {self.args.rate}, seed {self.args.seed}, {self.args.actions} actions per kind, "
            f"{self.args.web} web + {self.args.queues} queue process(es)"
        )
        print(
            "actions: user actions issued (a two-member race is one); tasks: Task rows; "
            "jobs: paid upstream jobs;\nmade: of those, finished upstream; in lib: and in the "
            "library; lost: finished but not in the library;\n2xpaid: intents paid more than "
            "once; failed: failed tasks, by error code"
        )
        header = (
            f"{'kind':<16}{'actions':>8}{'tasks':>7}{'jobs':>6}{'made':>6}{'in lib':>7}"
            f"{'lost':>6}{'2xpaid':>7}{'failed':>7}  failure codes"
        )
        print(header)
        print("-" * len(header))
        for kind in [*KINDS, *sorted(set(rows) - set(KINDS))]:
            r = rows[kind]
            codes = ", ".join(f"{c} {n}" for c, n in failed_codes[kind].most_common())
            print(
                f"{kind:<16}{r['actions']:>8}{r['tasks']:>7}{r['jobs']:>6}{r['succeeded']:>6}"
                f"{r['in library']:>7}{r['lost']:>6}{r['double-paid']:>7}{r['failed']:>7}"
                f"  {codes}"
            )
        total = Counter()
        for r in rows.values():
            total.update(r)
        print("-" * len(header))
        print(
            f"{'total':<16}{total['actions']:>8}{total['tasks']:>7}{total['jobs']:>6}"
            f"{total['succeeded']:>6}{total['in library']:>7}{total['lost']:>6}"
            f"{total['double-paid']:>7}{total['failed']:>7}"
        )
        print()
        states = Counter(t["state"] for t in tasks)
        print(f"tasks by state: {fmt(states)}; still active at the end: {len(active)}")
        print(f"faults injected by the simulator: {fmt(hits)}")
        concurrency = jobs.get("status_concurrency") or {}
        if concurrency:
            most = max(c["max"] for c in concurrency.values())
            overlaps = sum(c["overlaps"] for c in concurrency.values())
            print(
                f"status requests in flight at once for one API key: at most {most} "
                f"({overlaps} started while another was in flight)"
            )
        crashes = Counter()
        for queue in self.queues:
            crashes.update(queue_failures(queue.log_path))
        if crashes:
            print("queue jobs that raised (django-q 'Failed'), by function and error:")
            for (func, error), n in crashes.most_common(10):
                print(f"  {n:>4}  {func}: {error[:90]}")
        print(f"studio answers by status: {fmt(self.tally.statuses)}")
        print(
            f"connection errors: {self.tally.conn_in_window} while the web server was killed, "
            f"{len(self.tally.conn_other)} otherwise"
        )
        print(f"chaos: {fmt(self.events)}")
        refused = Counter(a.note[:70] for a in self.actions if a.note)
        if refused:
            print("actions not taken by the studio (form shown again / refused / no answer):")
            for note, n in refused.most_common(8):
                print(f"  {n:>4}  {note}")
        if double:
            extra = sum(len(f) - 1 for f in double.values())
            print(f"double-paid intents: {len(double)} ({extra} extra jobs), e.g.:")
            for key, found in list(double.items())[:6]:
                faults_hit = [",".join(j["call"]["faults"]) or "-" for _, j in found]
                print(f"  {found[0][0]:<14} {key:<50} faults per call: {faults_hit}")
        if lost_jobs:
            by_fault = Counter(",".join(j["call"]["faults"]) or "none" for _, j in lost_jobs)
            print(f"lost jobs by the fault that hit their call: {fmt(by_fault)}")
            outcome = Counter()
            for _, job in lost_jobs:
                task = task_of_job.get(job["id"])
                if task is None:
                    outcome["no task knows the job"] += 1
                else:
                    outcome[f"its task {task['state']} {task['error_code']}".strip()] += 1
            print(f"lost jobs by what the studio knows of them: {fmt(outcome)}")
        if self.tally.server_errors:
            paths = Counter(
                re.sub(r"[0-9a-f-]{36}", "<id>", p) for _, p, _ in self.tally.server_errors
            )
            print(f"server errors by path: {fmt(paths)}")
        minutes = (time.monotonic() - self.t0) / 60
        print(f"wall time: {minutes:.1f} min")
        if self.args.keep:
            (self.tmp / "actions.json").write_text(
                json.dumps([vars(a) for a in self.actions], default=str, indent=1)
            )
            (self.tmp / "ledger.json").write_text(json.dumps(jobs, indent=1))
            print(f"kept {self.tmp} (logs, actions.json, ledger.json)")
        print(
            f"faults: {len(self.actions)} actions, {len(paid)} jobs paid, {len(double)} "
            f"double-paid, {total['lost']} lost, {len(stuck)} stuck, "
            f"{len(self.tally.server_errors)} server errors"
        )

    def cleanup(self):
        for queue in getattr(self, "queues", []):
            queue.stop(grace=40)  # run_studio stops the cluster and the poller first
        self.procs.stop_all()
        if getattr(self, "owns_db", False):
            try:
                from django.db import connections

                connections.close_all()
                drop_pg_database(self.args.pg_database)
            except Exception as exc:  # noqa: BLE001  (best effort at exit)
                print(f"could not drop {self.args.pg_database}: {exc}", file=sys.stderr)
        if not self.args.keep and getattr(self, "tmp", None):
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- helpers ---------------------------------------------------------------------------------
TOPICS = ("trains", "rain", "old friends", "the sea", "neon nights", "a small town", "autumn")


def ident(target):
    """A target's id: a song's (a dict), a persona's (its id), or None (create)."""
    return target["id"] if isinstance(target, dict) else target


def words(seq):
    return f"{TOPICS[seq % len(TOPICS)]}, take {seq}"


def lyric(mark, seq):
    topic = TOPICS[seq % len(TOPICS)]
    return (
        f"[Verse]\n{mark} walking down the road\nthinking of {topic}\n"
        f"[Chorus]\nsing it out loud\nsing it for {topic}"
    )


def extension_lyric(mark):
    return f"[Verse]\n{mark} the road goes on\nand on we go\n[Chorus]\nnever letting go"


ERROR_RE = re.compile(r'class="error[^"]*"[^>]*>(.*?)</', re.S)


def first_error(html):
    m = ERROR_RE.search(html)
    return re.sub(r"<[^>]+>|\s+", " ", m[1]).strip() if m else ""


FAILED_RE = re.compile(r"ERROR django-q Failed '([^']+)' \([^)]*\) - (.*?)(?: : Traceback|$)")


def queue_failures(log_path):
    """Queue jobs that raised, from the cluster's log: (function, error) -> count."""
    found = Counter()
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return found
    for m in FAILED_RE.finditer(text):
        found[(m[1].rsplit(".", 1)[-1], re.sub(r"[0-9a-f-]{36}", "<id>", m[2].strip()))] += 1
    return found


def fmt(counter):
    items = counter.items() if hasattr(counter, "items") else counter
    return ", ".join(f"{k} {v}" for k, v in sorted(items, key=lambda kv: str(kv[0])) if v)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_pg_database(name):
    """Drop and create the benchmark's own database, unless someone is connected to it (another
    fault run, most likely): that run's data is not ours to drop."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"not a plain database name: {name}")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()[0]
        if busy:
            raise SystemExit(
                f"database {name} has {busy} open connection(s): another fault run is using it."
                " Wait for it, or pick another with --pg-database and --redis-db."
            )
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def drop_pg_database(name):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--actions", type=int, default=10, help="user actions per kind")
    parser.add_argument("--rate", type=float, default=0.2, help="rate of every fault kind")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--format",
        choices=("sunohub", "relay"),
        default="sunohub",
        help="the team's provider: the operator's (SunoHub format) or a relay account",
    )
    parser.add_argument("--issue-minutes", type=float, default=120, help="bound on issuing")
    parser.add_argument("--settle-minutes", type=float, default=12, help="bound on settling")
    parser.add_argument("--late-seconds", type=float, default=30)
    parser.add_argument("--max-backlog", type=int, default=6, help="queued tasks to allow")
    parser.add_argument("--pg-database", default="studio_faults", help="created and dropped")
    parser.add_argument("--redis-db", type=int, default=14, help="flushed at the start")
    parser.add_argument("--web", type=int, default=1, help="web processes (run_studio --no-queue)")
    parser.add_argument(
        "--queues", type=int, default=1, help="queue processes (run_studio --no-web)"
    )
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and its logs")
    args = parser.parse_args(argv)
    if args.actions < 3 or args.web < 1 or args.queues < 1:
        parser.error("--actions must be at least 3, --web and --queues at least 1")
    bench = Bench(args)
    try:
        bench.prepare()
        bench.start()
        bench.make_base_songs()
        bench.issue()
        bench.settle()
        bench.figures()
    except KeyboardInterrupt as exc:
        print(f"\ninterrupted ({exc or 'Ctrl-C'}); stopping everything", file=sys.stderr)
        return 130
    finally:
        bench.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
