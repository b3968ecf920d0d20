"""The upstream: which provider a team talks to, and how.

A team's provider account says where (base URL), in which wire format, with which key.
Without an account the studio uses the operator's settings (`SUNO_BASE_URL`,
`SUNO_API_KEY`), and without those the embedded simulator, reached through httpx's WSGI
transport: the same client code and wire format as a real provider, without opening a port.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from music.lists import split_list
from music.upstream import netguard
from music.upstream.base import UpstreamError  # noqa: F401  (re-exported for callers)
from music.upstream.http import make_client
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

SIMULATOR_BASE_URL = "http://simulator.local"
FORMATS = {"sunohub": SunoHub, "relay": Relay}


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


@dataclass(frozen=True)
class Connection:
    """Everything needed to talk to one provider."""

    format: str  # a key of FORMATS
    base_url: str
    api_key: str
    extra_media_hosts: tuple = ()
    callbacks: bool = True
    batch_limit: int = 0

    @property
    def host(self):
        return urlsplit(self.base_url).hostname or ""


def connection_for(account=None):
    if account is None:
        return Connection(
            format="sunohub",
            base_url=settings.SUNO_BASE_URL or SIMULATOR_BASE_URL,
            api_key=settings.SUNO_API_KEY,
            callbacks=settings.STUDIO_CALLBACKS,
            batch_limit=settings.SUNO_FETCH_BATCH_LIMIT,
        )
    simulator = account.format == "simulator"
    return Connection(
        format="sunohub" if simulator else account.format,
        base_url=SIMULATOR_BASE_URL if simulator else account.base_url.rstrip("/"),
        api_key="" if simulator else account.api_key,
        extra_media_hosts=tuple(h.lower() for h in split_list(account.media_hosts)),
        callbacks=account.use_callbacks and settings.STUDIO_CALLBACKS,
        batch_limit=account.fetch_batch_limit,
    )


def transport_for(base_url):
    """In-process WSGI for the embedded simulator, the network for everything else."""
    if urlsplit(base_url).hostname == urlsplit(SIMULATOR_BASE_URL).hostname:
        return httpx.WSGITransport(app=get_simulator())
    return None


def get_provider(account=None, *, timeout=None):
    conn = connection_for(account)
    client = make_client(
        conn.base_url,
        conn.api_key,
        timeout=timeout or settings.SUNO_TIMEOUT,
        # The key goes with every call: a provider reached over the network is connected to
        # only at an address the outbound guard allows (a name may change where it points).
        transport=transport_for(conn.base_url) or netguard.pinned_transport(),
    )
    return FORMATS[conn.format](client, batch_size=conn.batch_limit)


def provider_name(account=None):
    """The wire format a task or song of this account speaks (stored on rows)."""
    return connection_for(account).format


def media_hosts(account=None):
    """Hosts whose media the archiver may download: the provider's own and its CDNs."""
    conn = connection_for(account)
    return {conn.host, *settings.SUNO_MEDIA_HOSTS, *conn.extra_media_hosts}


def provider_host(account=None):
    return connection_for(account).host


def in_process_transports(base_url):
    """{host: transport} for a base URL served inside this process (the embedded simulator).

    Reaching it opens no connection, so the outbound guard's address rules do not apply to
    it; every other host goes over the network, through the guard.
    """
    transport = transport_for(base_url)
    return {urlsplit(base_url).hostname: transport} if transport is not None else {}


def media_client(account=None, *, policy=None):
    """The guarded fetcher for an account's media (see music/upstream/netguard.py)."""
    return netguard.Guard(
        policy or netguard.Policy.from_settings(),
        in_process=in_process_transports(connection_for(account).base_url),
        headers={"User-Agent": "studio/0.1"},
    )


def base_url(account=None):
    return connection_for(account).base_url
