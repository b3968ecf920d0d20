"""`run_simulator`: a standalone provider over real HTTP, in both wire formats; it stops clean."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.test_run_studio import ROOT, alive, descendants, free_port

KEY = "sim-secret"


@pytest.fixture
def simulator_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "Q_"))}
    env.update(STUDIO_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_simulator",
            "--port",
            str(port),
            "--api-key",
            KEY,
            "--queued-seconds",
            "0",
            "--running-seconds",
            "0",
            "--state",
            str(tmp_path / "simulator"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # bounded: up to a minute on a busy machine
            try:
                httpx.get(f"{base_url}/suno/fetch/none", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.25)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_it_answers_both_formats_over_http_and_stops_with_nothing_left(simulator_process):
    process, base_url = simulator_process
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, timeout=60) as api:
        assert api.post("/suno/audios", json={"prompt": "x"}).status_code == 401  # key required

        # SunoHub, no callback URL: the answer waits for the finished songs.
        sunohub = api.post(
            "/suno/audios",
            headers=auth,
            json={"action": "generate", "prompt": "a song over the wire", "model": "chirp-v4"},
        )
        assert sunohub.status_code == 200, sunohub.text
        clips = sunohub.json()["data"]
        assert len(clips) == 2
        audio = api.get(clips[0]["audio_url"].removeprefix(base_url))
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
        assert clips[0]["audio_url"].startswith(base_url)  # links point at where it runs

        # The relay format, on the same port.
        relay = api.post(
            "/suno/submit/music",
            headers=auth,
            json={"gpt_description_prompt": "a relay song", "mv": "chirp-v4"},
        )
        assert relay.status_code == 200 and relay.json()["code"] == "success", relay.text
        fetched = api.get(f"/suno/fetch/{relay.json()['data']}", headers=auth).json()["data"]
        assert fetched["status"] == "SUCCESS"

    assert process.poll() is None
    children = descendants(process.pid)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=30) == 0
    assert "Simulator speaking SunoHub's format on " + base_url in process.stdout.read()
    assert [pid for pid in children if alive(pid)] == []
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/suno/fetch/none", timeout=2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_it_cleanly_after_serving_a_request(simulator_process, sig):
    """What a service manager (SIGTERM) or a terminal (Ctrl-C) sends: exit 0, port closed."""
    process, base_url = simulator_process
    answer = httpx.post(
        f"{base_url}/suno/submit/music",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"gpt_description_prompt": "one request", "mv": "chirp-v4"},
        timeout=60,
    )
    assert answer.status_code == 200 and answer.json()["code"] == "success", answer.text
    children = descendants(process.pid)

    process.send_signal(sig)

    assert process.wait(timeout=30) == 0
    assert [pid for pid in children + descendants(process.pid) if alive(pid)] == []
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/suno/fetch/none", timeout=2)
