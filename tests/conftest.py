"""Shared test setup: every test talks to a fresh simulator through the real httpx client."""

import logging
import threading
import time
import uuid
from datetime import timedelta
from wsgiref.simple_server import make_server

import pytest
from django.test import Client, RequestFactory

from music import upstream
from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.upstream.simulator.app import Simulator
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.localserver import local_server


@pytest.fixture(autouse=True)
def simulator(tmp_path, monkeypatch):
    """A fresh in-process simulator whose jobs finish at once and send no callbacks."""
    sim = Simulator(
        tmp_path / "simulator",
        base_url=upstream.SIMULATOR_BASE_URL,
        queued_seconds=0,
        running_seconds=0,
        max_duration=12,
        send_callbacks=False,
    )
    monkeypatch.setattr(upstream, "get_simulator", lambda: sim)
    return sim


@pytest.fixture
def live_simulator(tmp_path, settings):
    """The simulator as a standalone HTTP server on localhost, reached over the network."""
    sim = Simulator(
        tmp_path / "live-simulator",
        queued_seconds=0,
        running_seconds=0,
        max_duration=12,
        send_callbacks=False,
    )
    server = make_server(
        "127.0.0.1", 0, sim, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    sim.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SUNO_BASE_URL = sim.base_url
    settings.SUNO_API_KEY = "live-key"
    # A provider on localhost is a private address: allowed only as a listed host and port.
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [
        *settings.STUDIO_ALLOWED_PRIVATE_HOSTS,
        f"127.0.0.1:{server.server_port}",
    ]
    yield sim
    server.shutdown()
    server.server_close()


class Paced:
    """What the `paced` fixture gives a test: the simulator, and a bounded wait for states."""

    def __init__(self, simulator, studio_url, turn):
        self.simulator = simulator
        self.studio_url = studio_url
        self.turn = turn  # held by the live server per request, and by `wait_for` per step

    def status_requests(self):
        """How many status checks (batch fetches) the simulator has answered."""
        return sum(1 for r in self.simulator.requests if r == ("POST", "/suno/tasks"))

    def wait_for(self, check, what, *, tick=None, limit=60.0):
        """Call `tick` (a poll pass, say) and `check` until `check` is true; a bound, not a
        speed check: a slow machine waits longer, a stuck lifecycle fails with `what`."""
        end = time.monotonic() + limit
        while True:
            with self.turn:
                if tick is not None:
                    tick()
                found = check()
            if found:
                return found
            if time.monotonic() > end:
                pytest.fail(f"never reached: {what}")
            time.sleep(0.05)


class TakingTurns:
    """A WSGI app run under a lock: an in-memory SQLite test database is one connection,
    shared by the test's thread and the live server's, and SQLite refuses a write to a table
    that another statement of the same connection is reading ("database table is locked")."""

    def __init__(self, app, lock):
        self.app, self.lock = app, lock

    def __call__(self, environ, start_response):
        with self.lock:
            return self.app(environ, start_response)


@pytest.fixture
def paced(live_server, tmp_path, settings, monkeypatch):
    """The simulator at its own pace over HTTP (queued -> running -> done over two seconds),
    posting real callbacks to the studio served by `live_server`.

    The studio reaches the simulator by URL like any provider; the simulator reaches the
    studio at STUDIO_PUBLIC_URL, the one private address its callbacks are allowed to go to.
    Polls are due every quarter second, so a poll pass sees the job running.
    """
    sim = Simulator(
        tmp_path / "paced-simulator",
        queued_seconds=0.5,
        running_seconds=1.5,
        max_duration=12,
        send_callbacks=True,
    )
    server = make_server(
        "127.0.0.1", 0, sim, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    server.daemon_threads = True
    sim.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SUNO_BASE_URL = sim.base_url
    settings.SUNO_API_KEY = "paced-key"
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [
        *settings.STUDIO_ALLOWED_PRIVATE_HOSTS,
        f"127.0.0.1:{server.server_port}",
    ]
    settings.STUDIO_PUBLIC_URL = live_server.url
    settings.STUDIO_CALLBACKS = True
    settings.SUNO_POLL_MAX_SECONDS = 0.25
    from music.services.tasks import timing

    monkeypatch.setattr(timing, "FIRST_POLL_AFTER", timedelta(seconds=0.25))
    turn = threading.RLock()
    httpd = live_server.thread.httpd
    httpd.set_app(TakingTurns(httpd.get_app(), turn))
    yield Paced(sim, live_server.url, turn)
    httpd.set_app(httpd.get_app().app)
    sim.faults.lose_callbacks = True  # a timer still pending must not post into another test
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API over HTTP on a free loopback port (moto's server, in a thread)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per S3 request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings):
    """Media in a fresh, private bucket of the S3 server, configured as an operator would.

    Returns the bucket as a boto3 resource, to look at what landed there.
    """
    import boto3

    from studio.settings import s3_media_storage, s3_origin

    bucket_name = f"studio-{uuid.uuid4().hex[:12]}"
    credentials = {"access_key": "test-key", "secret_key": "test-secret"}
    resource = boto3.resource(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=credentials["access_key"],
        aws_secret_access_key=credentials["secret_key"],
    )
    bucket = resource.create_bucket(Bucket=bucket_name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_media_storage(
            bucket_name,
            endpoint_url=s3_server,
            region="us-east-1",
            addressing_style="path",
            url_seconds=300,
            **credentials,
        ),
    }
    settings.STUDIO_MEDIA_STORAGE = "s3"
    settings.STUDIO_MEDIA_ORIGIN = s3_origin(bucket_name, s3_server, "us-east-1", "path")
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()


@pytest.fixture(autouse=True)
def fresh_remembered():
    """Each test's database starts again from the same team ids and versions, as a new
    process would see them: what an earlier test remembered is not this test's."""
    from music.services import remembered

    remembered.forget()
    yield
    remembered.forget()


@pytest.fixture(autouse=True)
def no_retry_sleep(monkeypatch):
    """Back-off sleeps are real in production; tests count the attempts instead."""
    from music.services import tasks

    monkeypatch.setattr(tasks.sending, "sleep", lambda seconds: None)


@pytest.fixture(autouse=True)
def client_login_with_a_request(monkeypatch):
    """Let `client.login(username=..., password=...)` pass django-axes.

    Axes (the first authentication backend, kept on in tests) refuses to authenticate without
    the request it throttles by; the test client's login() gives none, so it gets one from
    127.0.0.1. `force_login` needs nothing: it authenticates nobody.
    """
    original = Client.login

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/accounts/login/"))
        return original(self, **credentials)

    monkeypatch.setattr(Client, "login", login)


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, role="member").user


@pytest.fixture
def owner(team):
    return MembershipFactory(team=team, role="owner").user


@pytest.fixture
def viewer(team):
    return MembershipFactory(team=team, role="viewer").user


@pytest.fixture
def outsider(db):
    """A user of another team."""
    return MembershipFactory().user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit hooks (the queue's submit) as a committed request would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the default language, whatever the previous one switched to."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def cdn(settings):
    """A provider file server on localhost, allowed as a media host (listed, with port)."""
    with local_server() as server:
        settings.SUNO_MEDIA_HOSTS = ["127.0.0.1"]
        settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [server.host_port]
        yield server
