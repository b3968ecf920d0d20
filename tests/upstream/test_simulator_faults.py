"""The simulator's seeded fault layer (`FaultPlan`) and its control endpoints, through httpx.

Each knob is checked by its outcome: what the client got, and whether the job exists in the
ledger (was paid for). Time-outs are asserted as `httpx.ReadTimeout`, never by elapsed time.
"""

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from wsgiref.simple_server import make_server

import httpx
import pytest
from django.core.management import CommandError, call_command

from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.upstream.simulator import faults
from music.upstream.simulator.app import Simulator
from music.upstream.simulator.faults import FaultPlan

BASE = "http://simulator.local"
GENERATE = {"action": "generate", "prompt": "a song about faults", "is_pro": True}
NOWHERE = "http://127.0.0.1:9/cb"  # loopback, refused: tests never reach out


@pytest.fixture
def sim(tmp_path):
    """A simulator with control on; jobs are done at once; no callbacks unless a test asks."""
    return Simulator(
        tmp_path / "fault-sim",
        base_url=BASE,
        queued_seconds=0,
        running_seconds=0,
        max_duration=4,
        send_callbacks=False,
        control=True,
    )


@pytest.fixture
def api(sim):
    with httpx.Client(transport=httpx.WSGITransport(app=sim), base_url=BASE) as client:
        yield client


def set_plan(api, **plan):
    response = api.post("/_simulator/faults", json=plan)
    assert response.status_code == 200, response.text
    return response.json()


def ledger(api):
    response = api.get("/_simulator/ledger")
    assert response.status_code == 200, response.text
    return response.json()["jobs"]


def submit(api, **extra):
    # A callback URL makes SunoHub answer {task_id} at once, before anything is rendered.
    return api.post("/suno/audios", json={**GENERATE, "callback_url": NOWHERE, **extra})


def finished_clip(api):
    """A finished clip made with no faults in the way."""
    set_plan(api)
    task_id = submit(api).json()["task_id"]
    record = api.post("/suno/tasks", json={"action": "retrieve", "id": task_id}).json()
    clip = record["response"]["data"][0]
    assert clip["state"] == "succeeded"
    return clip


# --- the plan ------------------------------------------------------------------------------
def test_plan_from_json_defaults_shorthand_and_validation():
    empty = FaultPlan.from_dict({})
    assert not empty.active and all(rate == 0 for rate in empty.rates.values())
    plan = FaultPlan.from_dict({"rate": 0.2, "poison": 0.5, "seed": 7, "timeout_sleep": 1})
    assert plan.rates["error_after"] == 0.2 and plan.rates["poison"] == 0.5
    assert plan.rates["media_error"] == 0  # only when named
    assert plan.to_dict()["seed"] == 7 and plan.timeout_sleep == 1
    assert FaultPlan.from_dict(plan.to_dict()).rates == plan.rates
    for bad in ({"error_after": 1.5}, {"slow": "x"}, {"nope": 0.1}, {"seed": "1"}, []):
        with pytest.raises(ValueError):
            FaultPlan.from_dict(bad)


def test_same_seed_same_faults():
    def draws(seed):
        plan = FaultPlan({"error_after": 0.5}, seed=seed)
        return [plan.hit("error_after") for _ in range(64)]

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)
    assert 10 < sum(draws(3)) < 54


# --- submit endpoints ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "statuses"), [("error_before", {500, 502, 503}), ("rate_limit", {429})]
)
def test_faults_before_handling_create_no_job(api, kind, statuses):
    set_plan(api, **{kind: 1})
    for _ in range(4):
        response = submit(api)
        assert response.status_code in statuses
        assert response.json()["success"] is False  # SunoHub's error shape
    response = api.get("/suno/act/wav/some-clip")  # a relay submit endpoint: relay's shape
    assert response.status_code in statuses and response.json()["data"] is None
    assert ledger(api) == []
    assert api.get("/_simulator/ledger").json()["hits"] == {kind: 5}


@pytest.mark.parametrize(
    ("kind", "statuses"), [("error_after", {500, 502, 504}), ("malformed_after", {200})]
)
def test_faults_after_handling_leave_a_paid_job(api, kind, statuses):
    set_plan(api, **{kind: 1})
    response = submit(api)
    assert response.status_code in statuses
    if kind == "malformed_after":
        try:
            body = response.json()
        except ValueError:
            body = None
        assert not (isinstance(body, dict) and body.get("task_id"))
    (job,) = ledger(api)
    assert job["billable"] and job["path"] == "/suno/audios"
    assert job["request"]["callback_url"] == NOWHERE
    assert job["call"]["faults"] == [kind] and job["call"]["handled"] == 200
    assert len(job["clip_ids"]) == 2 and job["phase"] == "succeeded"


def test_refusals_are_not_turned_into_after_faults(api):
    set_plan(api, error_after=1)
    response = api.post("/suno/audios", json={"action": "generate"})  # no prompt: 400
    assert response.status_code == 400
    assert ledger(api) == []


def test_slow_answers_normally(api):
    set_plan(api, slow=1, slow_sleep=0.01)
    response = submit(api)
    assert response.status_code == 200 and response.json()["task_id"]
    (job,) = ledger(api)
    assert job["id"] == response.json()["task_id"] and job["call"]["faults"] == ["slow"]


def test_timeout_after_the_job_is_made(tmp_path):
    sim = Simulator(
        tmp_path / "live", queued_seconds=0, running_seconds=0, max_duration=4, control=True
    )
    server = make_server(
        "127.0.0.1", 0, sim, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    sim.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with httpx.Client(base_url=sim.base_url, timeout=5) as control:
            set_plan(control, timeout_after=1, timeout_sleep=0.3)
            with (
                httpx.Client(base_url=sim.base_url, timeout=0.1) as impatient,
                pytest.raises(httpx.ReadTimeout),
            ):
                submit(impatient)
            (job,) = ledger(control)
            assert job["billable"] and job["call"]["faults"] == ["timeout_after"]
            assert job["call"]["answered"] == 0
    finally:
        server.shutdown()
        server.server_close()


def test_side_calls_and_upload_generate_in_the_ledger(api, sim):
    clip = finished_clip(api)
    assert api.post("/suno/wav", json={"audio_id": clip["id"]}).status_code == 200
    persona = api.post("/suno/persona", json={"name": "P-1", "audio_id": clip["id"]}).json()
    url = f"{clip['audio_url']}?n=1"
    body = {"action": "upload_generate", "audio_url": url, "continue_at": 1, "lyric": "la la"}
    assert submit(api, **body).status_code == 200
    jobs = ledger(api)
    by_path = {}
    for job in jobs:
        by_path.setdefault(job["path"], []).append(job)
    assert by_path["/suno/wav"][0]["side"]["file_url"].endswith(".wav")
    assert by_path["/suno/persona"][0]["side"]["persona_id"] == persona["data"]["persona_id"]
    made = [j for j in by_path["/suno/audios"] if j["request"].get("audio_url") == url]
    inner = [j for j in made if j["request"]["action"] == "upload"]
    outer = [j for j in made if j["request"]["action"] == "upload_generate"]
    assert len(inner) == 1 and not inner[0]["billable"]  # part of the paid call
    assert len(outer) == 1 and outer[0]["billable"]
    # Refused after its upload step (continue_at past the end): nothing is paid for.
    late = {**body, "audio_url": f"{clip['audio_url']}?n=2", "continue_at": 999}
    assert submit(api, **late).status_code == 400
    refused = [j for j in ledger(api) if j["request"].get("audio_url") == late["audio_url"]]
    assert len(refused) == 1 and not refused[0]["billable"]


def test_relay_side_calls_without_jobs_are_in_the_ledger(api):
    set_plan(api)
    task_id = api.post("/suno/submit/music", json={"gpt_description_prompt": "relay"}).json()
    clip = api.get(f"/suno/fetch/{task_id['data']}").json()["data"]["data"][0]
    response = api.get(f"/suno/act/wav/{clip['id']}")
    assert response.status_code == 200
    (side,) = [job for job in ledger(api) if job["path"] == "/suno/act/wav/" + clip["id"]]
    assert side["id"].startswith("call:") and side["billable"] and side["phase"] == "succeeded"
    assert side["side"]["wav_file_url"] == response.json()["data"]["wav_file_url"]
    assert side["request"] == {"arg": clip["id"]}


# --- status and words endpoints ------------------------------------------------------------
def test_poison_spoils_clips_in_status_answers_but_keeps_audio(api):
    clip = finished_clip(api)
    task_id = ledger(api)[0]["id"]
    set_plan(api, poison=1, seed=5)
    seen = set()
    for _ in range(40):
        record = api.post("/suno/tasks", json={"action": "retrieve", "id": task_id}).json()
        got = next(c for c in record["response"]["data"] if c["id"] == clip["id"])
        assert got["audio_url"] == clip["audio_url"]
        if len(got["title"]) >= 300:
            seen.add("long_title")
        if "\u0000" in got["title"] or "\u0000" in got["lyric"]:
            seen.add("nul")
        if isinstance(got["duration"], float) and math.isnan(got["duration"]):
            seen.add("nan_duration")
        if ":99999/" in got["image_url"]:
            seen.add("bad_port")
        if got["video_url"] == "javascript:alert(1)":
            seen.add("js_video")
        if isinstance(got["style"], int):
            seen.add("number_style")
    assert seen == set(faults.POISONS)


def test_poison_in_relay_answers(api):
    set_plan(api)
    task_id = api.post("/suno/submit/music", json={"gpt_description_prompt": "relay"}).json()
    set_plan(api, poison=1)
    response = api.post("/suno/fetch", json={"ids": [task_id["data"]]})
    signs = (b"NaN", b":99999/", b"\\u0000", b"overlong title", b"javascript:", b": 12345")
    assert any(sign in response.content for sign in signs)
    clip = response.json()["data"][0]["data"][0]
    assert clip["audio_url"].endswith(".mp3")


def test_poll_error_on_status_endpoints(api):
    task_id = submit(api).json()["task_id"]
    set_plan(api, poll_error=1, seed=2)
    outcomes = set()
    for _ in range(30):
        response = api.post("/suno/tasks", json={"action": "retrieve", "id": task_id})
        if response.status_code == 200:
            try:
                body = response.json()
            except ValueError:
                body = None
            assert not (isinstance(body, dict) and body.get("id") == task_id)
            outcomes.add("garbage")
        else:
            outcomes.add(response.status_code)
    assert outcomes == {500, 429, "garbage"}
    assert api.get(f"/suno/fetch/{task_id}").status_code in (200, 429, 500)


def test_words_endpoints_only_get_faults_before(api):
    set_plan(api, error_after=1, malformed_after=1, timeout_after=1, poll_error=1)
    assert api.post("/suno/lyrics", json={"prompt": "rain"}).status_code == 200
    set_plan(api, rate_limit=1)
    assert api.post("/suno/style", json={"prompt": "rain"}).status_code == 429
    assert api.post("/suno/submit/lyrics", json={"prompt": "rain"}).status_code == 429


def test_media_errors_only_when_named(api):
    clip = finished_clip(api)
    path = clip["audio_url"].removeprefix(BASE)
    set_plan(api, rate=1)
    assert api.get(path).status_code == 200
    set_plan(api, media_error=1)
    assert api.get(path).status_code == 503


# --- callbacks ------------------------------------------------------------------------------
@pytest.fixture
def receiver(settings):
    """A local HTTP server that keeps every callback body it is sent (the studio's public URL
    in these tests: the outbound guard lets callbacks go there)."""
    bodies, arrived = [], threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            data = self.rfile.read(int(self.headers["Content-Length"]))
            with arrived:
                bodies.append((self.path, data))
                arrived.notify_all()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STUDIO_PUBLIC_URL = f"http://127.0.0.1:{server.server_port}"

    def wait_for(predicate, timeout=10):
        with arrived:
            assert arrived.wait_for(lambda: predicate(bodies), timeout=timeout), bodies
        return bodies

    yield f"http://127.0.0.1:{server.server_port}", wait_for
    server.shutdown()
    server.server_close()


def test_lost_and_duplicated_callbacks(api, sim, receiver):
    url, wait_for = receiver
    sim.send_callbacks = True
    set_plan(api, lose_callback=1)
    submit(api, callback_url=f"{url}/lost")
    set_plan(api, duplicate_callback=1)
    submit(api, callback_url=f"{url}/twice")
    set_plan(api)
    submit(api, callback_url=f"{url}/once")
    # Callbacks fire in order: once the last one is in, the lost one is not coming.
    bodies = wait_for(lambda got: sum(p == "/once" for p, _ in got) == 1)
    bodies = wait_for(lambda got: sum(p == "/twice" for p, _ in got) == 2)
    assert [p for p, _ in bodies].count("/lost") == 0
    assert [p for p, _ in bodies].count("/once") == 1


def test_poisoned_callback_bodies(api, sim, receiver):
    url, wait_for = receiver
    sim.send_callbacks = True
    set_plan(api, poison=1, seed=1)
    task_id = submit(api, callback_url=f"{url}/cb").json()["task_id"]
    ((_, data),) = wait_for(lambda got: len(got) == 1)
    body = json.loads(data)  # NaN is accepted by Python's decoder, as by many
    assert body["task_id"] == task_id
    clip = body["data"][0]
    assert clip["audio_url"].endswith(".mp3")
    poisoned = (
        len(clip["title"]) >= 300
        or "\u0000" in clip["title"] + clip["lyric"]
        or (isinstance(clip["duration"], float) and math.isnan(clip["duration"]))
        or ":99999/" in clip["image_url"]
        or clip["video_url"] == "javascript:alert(1)"
        or isinstance(clip["style"], int)
    )
    assert poisoned


# --- control ---------------------------------------------------------------------------------
def test_control_endpoints_refused_when_control_is_off(simulator):
    assert simulator.fault_layer.control_enabled is False
    with httpx.Client(transport=httpx.WSGITransport(app=simulator), base_url=BASE) as client:
        assert client.post("/_simulator/faults", json={"rate": 1}).status_code == 404
        assert client.get("/_simulator/ledger").status_code == 404
        assert client.post("/suno/lyrics", json={"prompt": "rain"}).status_code == 200
    assert not simulator.fault_plan.active


def test_control_needs_the_api_key_and_a_valid_plan(tmp_path):
    sim = Simulator(tmp_path / "keyed", base_url=BASE, api_key="k", control=True)
    with httpx.Client(transport=httpx.WSGITransport(app=sim), base_url=BASE) as client:
        assert client.get("/_simulator/ledger").status_code == 401
        headers = {"Authorization": "Bearer k"}
        bad = client.post("/_simulator/faults", json={"slow": 2}, headers=headers)
        assert bad.status_code == 400
        ok = client.post("/_simulator/faults", json={"rate": 0.25, "seed": 9}, headers=headers)
        assert ok.status_code == 200 and ok.json()["error_after"] == 0.25
        assert client.get("/_simulator/faults", headers=headers).json()["seed"] == 9
        assert client.post("/_simulator/faults", json={}, headers=headers).json()["slow"] == 0


def test_run_simulator_refuses_a_bad_plan():
    with pytest.raises(CommandError, match="--faults"):
        call_command("run_simulator", "--control", "--faults", '{"rate": 3}')


def test_a_plan_can_be_aimed_at_some_paths(api):
    plan = set_plan(api, rate_limit=1, paths=["/suno/act/", "/suno/submit/music"])
    assert plan["paths"] == ["/suno/act/", "/suno/submit/music"]
    assert submit(api).status_code == 200  # not a named path: no fault
    assert api.get("/suno/act/wav/some-clip").status_code == 429  # under a named prefix
    assert api.post("/suno/submit/music", json={"prompt": "x"}).status_code == 429
    assert api.post("/suno/submit/concat", json={"clip_id": "x"}).status_code != 429
    for bad in ({"paths": "/suno/act/"}, {"paths": [1]}):
        with pytest.raises(ValueError):
            FaultPlan.from_dict(bad)


# --- status requests in flight ------------------------------------------------------------
def test_status_requests_in_flight_are_counted_per_api_key(api, sim, monkeypatch):
    task_id = submit(api).json()["task_id"]
    both_in = threading.Barrier(2)
    route = sim.route

    def held_route(environ, method, path, handler=None):
        if path == "/suno/tasks" and environ.get("HTTP_AUTHORIZATION") == "Bearer key-a":
            both_in.wait(timeout=10)  # both requests of key A are in flight here
        return route(environ, method, path, handler)

    monkeypatch.setattr(sim, "route", held_route)

    def status(key):
        body = {"action": "retrieve", "id": task_id}
        response = api.post("/suno/tasks", json=body, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200

    threads = [threading.Thread(target=status, args=("key-a",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    status("key-b")
    status("key-b")

    counted = api.get("/_simulator/ledger").json()["status_concurrency"]
    a, b = faults.key_fingerprint("Bearer key-a"), faults.key_fingerprint("Bearer key-b")
    assert counted[a] == {"max": 2, "overlaps": 1}
    assert counted[b] == {"max": 1, "overlaps": 0}
    assert "key-a" not in json.dumps(counted)  # keys are listed by fingerprint only
