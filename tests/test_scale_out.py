"""Two web processes and two queue processes at once, as a deployment past one machine runs
them (`run_studio --no-queue` and `run_studio --no-web` on the same PostgreSQL and Redis),
with the simulator as its own HTTP server, pacing its jobs and posting callbacks.

Real members sign in and post the real forms to both web servers in turn; then what a team
relies on is checked from the simulator's ledger (what was paid) and the database (what the
team got). PostgreSQL + Redis only: SQLite's one file and the ORM broker are the embedded,
one-machine set-up.
"""

import contextlib
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from music.models import Membership, Role, Song, Task, TaskState
from music.services.teams import create_team
from music.upstream.simulator.faults import key_fingerprint

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "scale-out-pass-1"
KEY = "scale-out-key"
WAIT = 90  # seconds, at most, for the processes to start and for the work to end


def bench_module(name):
    """A helper module of bench/ (the HTML form reader), loaded without touching sys.path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


find_form = bench_module("_forms").find_form


@pytest.fixture
def postgres_and_redis():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Several processes at once need PostgreSQL and Redis (DATABASE_URL, REDIS_URL); "
            "SQLite with the ORM broker is the one-machine set-up."
        )
    if not settings.REDIS_URL:
        pytest.fail("With PostgreSQL this test needs REDIS_URL too (scripts/test.sh sets both).")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return found


class Processes:
    """Each process in its own session; stopped with SIGTERM (run_studio stops its children),
    then whatever is left of each tree is killed."""

    def __init__(self, env, log_dir):
        self.env, self.log_dir, self.started = env, log_dir, []

    def start(self, name, *args):
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115  (kept by the child)
        with log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process))
        return process

    def log(self, name, whole=False):
        text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        return text if whole else text[-3000:]

    def stop(self):
        trees = {p.pid: descendants(p.pid) for _, p in self.started}
        for _, process in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for _, process in self.started:
            for pid in [process.pid, *trees[process.pid]]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.wait()


def database_url():
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


def until(predicate, seconds=WAIT, every=0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def answers(url, path):
    try:
        return httpx.get(url + path, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def studio(postgres_and_redis, transactional_db, tmp_path, media_root):
    """The simulator, 2 web and 2 queue processes on the test's database and Redis."""
    from django_q.brokers import get_broker

    get_broker().purge_queue()  # nothing left over from an earlier run
    sim_port, web_ports = free_port(), [free_port(), free_port()]
    sim_url = f"http://127.0.0.1:{sim_port}"
    webs = [f"http://127.0.0.1:{port}" for port in web_ports]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "SUNO_", "STUDIO_", "SIMULATOR_", "Q_"))
    }
    env.update(
        DATABASE_URL=database_url(),  # the test database pytest-django made
        REDIS_URL=settings.REDIS_URL,
        STUDIO_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(media_root),  # this test's storage: it checks the files
        STUDIO_TESTING="1",  # plain static files: no collectstatic
        Q_SYNC="0",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=uuid.uuid4().hex * 2,
        STUDIO_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        SUNO_BASE_URL=sim_url,
        SUNO_API_KEY=KEY,
        SUNO_TIMEOUT="10",
        STUDIO_PUBLIC_URL=webs[0],  # callbacks come to the first web server
        STUDIO_ALLOWED_PRIVATE_HOSTS=f"127.0.0.1:{sim_port}",
        SIMULATOR_MAX_DURATION="8",
        Q_WORKERS="2",
        WEB_WORKERS="1",
        PYTHONUNBUFFERED="1",
    )
    procs = Processes(env, tmp_path)
    try:
        procs.start(
            "simulator",
            *("run_simulator", "--control", "--port", str(sim_port), "--api-key", KEY),
            *("--queued-seconds", "1", "--running-seconds", "1"),
            *("--state", str(tmp_path / "simulator")),
        )
        for i, port in enumerate(web_ports):
            procs.start(f"web{i}", "run_studio", f"127.0.0.1:{port}", "--no-queue")
        for i in range(2):
            procs.start(f"queue{i}", "run_studio", "--no-web")
        assert until(lambda: all(answers(url, "/healthz/") for url in webs)), procs.log("web0")
        control = httpx.Client(
            base_url=sim_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
        )
        assert until(lambda: answers_control(control)), procs.log("simulator")
        yield {"webs": webs, "control": control, "procs": procs}
    finally:
        procs.stop()


def answers_control(control):
    try:
        return control.get("/_simulator/faults").status_code == 200
    except httpx.HTTPError:
        return False


class Member:
    """A member's browser: one session, each request to the next web server in turn."""

    def __init__(self, webs, username, first):
        self.webs, self.username = webs, username
        self.turn = first
        self.client = httpx.Client(timeout=40, follow_redirects=False)
        self.statuses = []

    def url(self, path, server=None):
        if server is None:
            server, self.turn = self.turn, self.turn + 1
        return self.webs[server % len(self.webs)] + path

    def get(self, path, server=None):
        response = self.client.get(self.url(path, server))
        self.statuses.append(response.status_code)
        return response

    def post(self, path, data, server=None):
        response = self.client.post(self.url(path, server), data=data)
        self.statuses.append(response.status_code)
        return response

    def form(self, path, server=None, **match):
        page = self.get(path, server)
        assert page.status_code == 200, (path, page.status_code)
        form = find_form(page.text, **match)
        assert form is not None, (path, match)
        return form

    def sign_in(self):
        form = self.form("/accounts/login/", has="username")
        response = self.post(
            "/accounts/login/", form.data(username=self.username, password=PASSWORD)
        )
        assert response.status_code == 302, response.text[:300]


def test_two_web_and_two_queue_processes_pay_once_and_lose_nothing(studio):
    from django.contrib.auth import get_user_model

    users = [
        get_user_model().objects.create_user(name, password=PASSWORD)
        for name in ("scale-owner", "scale-member")
    ]
    team = create_team("Scale Out", users[0])
    team.pro_pool = True  # WAV needs Pro-made songs
    team.save()
    Membership.objects.create(team=team, user=users[1], role=Role.MEMBER)
    owner, member = (Member(studio["webs"], u.username, i) for i, u in enumerate(users))
    for person in (owner, member):
        person.sign_in()

    # Several songs, created through both web servers in turn.
    for n in range(4):
        person = (owner, member)[n % 2]
        form = person.form("/create/", form_id="create-form")
        data = form.data(mode="inspiration", prompt=f"SCALE{n:03d} a song about rain")
        assert person.post("/create/", data).status_code == 302

    # The same form posted twice with its one request key: once to each web server.
    form = owner.form("/create/", server=0, form_id="create-form")
    data = form.data(mode="inspiration", prompt="SCALE900 the same song twice")
    assert form.fields.get("request_key")
    twice = [owner.post("/create/", data, server=s).status_code for s in (0, 1)]
    assert all(status in (200, 302) for status in twice), twice

    # Two members ask for the WAV of the same song at once, one through each server.
    assert until(lambda: first_song(team) is not None), "no song was made"
    song = first_song(team)
    path = f"/songs/{song.pk}/do/wav/"
    forms = [
        p.form(f"/songs/{song.pk}/", server=i, action=path) for i, p in enumerate((owner, member))
    ]
    both = threading.Barrier(2)
    raced = []

    def ask(i, person):
        both.wait(timeout=30)
        raced.append(person.post(path, forms[i].data(), server=i).status_code)

    threads = [threading.Thread(target=ask, args=(i, p)) for i, p in enumerate((owner, member))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(raced) and all(status < 500 for status in raced), raced

    # Everything ends (bounded), with its files stored.
    def settled():
        return (
            not Task.objects.filter(team=team).exclude(state__in=TERMINAL).exists()
            and not Song.objects.filter(team=team, audio_file="").exists()
            and Song.objects.get(pk=song.pk).wav_file
        )

    assert until(settled), summary(team)

    ledger = studio["control"].get("/_simulator/ledger").json()
    paid = [job for job in ledger["jobs"] if job["billable"]]
    # Every action paid at most once: each prompt's song once, the WAV once.
    prompts = [job["request"].get("prompt", "") for job in paid if job["path"] == "/suno/audios"]
    assert sorted(p[:8] for p in prompts) == [f"SCALE{n:03d}" for n in (0, 1, 2, 3, 900)]
    assert [job["request"].get("audio_id") for job in paid if job["path"] == "/suno/wav"] == [
        song.upstream_id
    ]
    # Every clip the simulator made is in the library, with its audio stored.
    made = [c for job in paid if job["phase"] == "succeeded" for c in job["clip_ids"]]
    assert len(made) == 10
    songs = {s.upstream_id: s for s in Song.objects.filter(team=team)}
    for clip_id in made:
        assert clip_id in songs, clip_id
        assert songs[clip_id].state == "succeeded" and songs[clip_id].audio_file
        assert default_storage.exists(songs[clip_id].audio_file.name)
    assert default_storage.exists(Song.objects.get(pk=song.pk).wav_file.name)
    # Nothing stuck, no server error from either web server.
    assert set(Task.objects.filter(team=team).values_list("state", flat=True)) == {
        TaskState.SUCCEEDED
    }
    assert not [s for s in owner.statuses + member.statuses if s >= 500]
    for name in ("web0", "web1"):  # the simulator's callbacks included
        access = studio["procs"].log(name, whole=True)
        assert '"GET /healthz/' in access  # gunicorn's access log is there to read
        assert not SERVER_ERROR.findall(access), SERVER_ERROR.findall(access)
    # One poll pass at a time for the account, whichever queue process ran it.
    polled = ledger["status_concurrency"].get(key_fingerprint(f"Bearer {KEY}"))
    assert polled is not None and polled["max"] == 1, polled


TERMINAL = (TaskState.SUCCEEDED, TaskState.FAILED)
SERVER_ERROR = re.compile(r'"[A-Z]+ [^"]*" 5\d\d ')  # in gunicorn's access log


def first_song(team):
    return (
        Song.objects.filter(team=team, state="succeeded", is_pro=True)
        .exclude(audio_file="")
        .order_by("created_at")
        .first()
    )


def summary(team):
    tasks = list(Task.objects.filter(team=team).values_list("action", "state", "error_message"))
    missing = Song.objects.filter(team=team, audio_file="").count()
    return f"tasks: {tasks}; songs without audio: {missing}"
