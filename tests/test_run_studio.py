"""`run_studio` (what `make run` and `make serve` start): it serves, and stops every child."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """Every process below pid (from /proc), children first."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                found.append(kid)
                todo.append(kid)
    return found


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def studio_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "Q_"))}
    env.update(
        STUDIO_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'studio.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
        Q_WORKERS="1",
    )
    env.pop("STUDIO_TESTING", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_it_serves_with_gunicorn_and_stops_every_child(studio_env, sig):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_studio", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=studio_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        for _ in range(240):  # bounded: up to a minute on a busy machine
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.25)
        assert answer is not None, "the studio never answered"
        assert answer.status_code == 200
        assert answer.json() == {"database": "ok", "broker": "ok"}
        assert "gunicorn" in answer.headers.get("server", "")
        children = descendants(process.pid)
        assert len(children) >= 4  # gunicorn arbiter + 2 workers, the queue cluster and more
        commands = [command_line(pid) for pid in children]
        assert any("run_poller" in c for c in commands)  # polls within seconds
        assert any("qcluster" in c for c in commands)

        process.send_signal(sig)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read()
    assert "Stopped the web server and the queue workers." in output
    for _ in range(40):
        if not any(alive(pid) for pid in children):
            break
        time.sleep(0.25)
    assert [pid for pid in children if alive(pid)] == []


def test_the_demo_flow_setup_demo_then_run_studio_signs_in_and_stops_every_child(studio_env):
    """What `make run` does: setup_demo, then run_studio in demo mode; the login page offers
    the demo login, signing in with it opens the demo team's studio, SIGTERM ends it all."""
    subprocess.run(  # as `make run` does: the manifest the pages' static links come from
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=studio_env,
        check=True,
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "setup_demo"],
        cwd=ROOT,
        env=studio_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Demo team “Demo Studio” is ready. Sign in as  demo / demo-studio" in made.stdout

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_studio", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env={**studio_env, "STUDIO_DEMO": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as browser:
            page = None
            for _ in range(240):  # bounded: up to a minute on a busy machine
                try:
                    page = browser.get("/accounts/login/")
                    break
                except httpx.HTTPError:
                    assert process.poll() is None, process.stdout.read()
                    time.sleep(0.25)
            assert page is not None and page.status_code == 200
            assert "demo-studio" in page.text  # the demo login is offered
            signed_in = browser.post(
                "/accounts/login/",
                data={
                    "username": "demo",
                    "password": "demo-studio",
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                },
                headers={"Referer": f"{base}/accounts/login/"},
            )
            assert signed_in.status_code == 302, signed_in.text[:500]
            home = browser.get(signed_in.headers["location"], follow_redirects=True)
            assert home.status_code == 200
            assert "Demo Studio" in home.text
        children = descendants(process.pid)
        assert len(children) >= 3  # gunicorn's arbiter and worker, the queue, the poller

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "Stopped the web server and the queue workers." in process.stdout.read()
    for _ in range(40):
        if not any(alive(pid) for pid in children):
            break
        time.sleep(0.25)
    assert [pid for pid in children if alive(pid)] == []
