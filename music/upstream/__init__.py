"""The upstream: which provider the studio talks to, and how.

With no `SUNO_BASE_URL` the studio talks to the embedded simulator through httpx's WSGI
transport: the same client code and wire format as a real provider, without opening a port.
"""

import functools
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from music.upstream.base import UpstreamError  # noqa: F401  (re-exported for callers)
from music.upstream.http import make_client
from music.upstream.sunohub import SunoHub

SIMULATOR_BASE_URL = "http://simulator.local"


@functools.cache
def get_simulator():
    from music.upstream.simulator.app import Simulator

    conf = settings.SIMULATOR
    return Simulator(
        conf["state_path"],
        base_url=SIMULATOR_BASE_URL,
        queued_seconds=conf["queued_seconds"],
        running_seconds=conf["running_seconds"],
        max_duration=conf["max_duration"],
        send_callbacks=conf.get("send_callbacks", True),
    )


def uses_simulator():
    """The embedded simulator serves when no provider URL is configured."""
    return not settings.SUNO_BASE_URL


def base_url():
    return settings.SUNO_BASE_URL or SIMULATOR_BASE_URL


def transport():
    """httpx transport: in-process WSGI for the embedded simulator, the network otherwise."""
    if uses_simulator():
        return httpx.WSGITransport(app=get_simulator())
    return None


def get_provider():
    client = make_client(
        base_url(), settings.SUNO_API_KEY, timeout=settings.SUNO_TIMEOUT, transport=transport()
    )
    return SunoHub(client, batch_size=settings.SUNO_FETCH_BATCH_LIMIT)


def provider_name():
    return "sunohub"


def media_hosts():
    """Hosts whose media the archiver may download: the provider's own and its CDNs."""
    return {urlsplit(base_url()).hostname, *settings.SUNO_MEDIA_HOSTS}


def media_client():
    return httpx.Client(
        transport=transport(),
        timeout=httpx.Timeout(60.0, connect=10.0),
        follow_redirects=False,
        headers={"User-Agent": "studio/0.1"},
    )
