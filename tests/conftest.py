"""Shared test setup: every test talks to a fresh simulator through the real httpx client."""

import threading
from wsgiref.simple_server import make_server

import pytest
from django.test import Client, RequestFactory

from music import upstream
from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.upstream.simulator.app import Simulator
from tests.factories import MembershipFactory, TeamFactory, UserFactory


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


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.MEDIA_ROOT


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
