"""The one guard for outbound requests to URLs the studio did not choose itself.

A provider's answer (media links), a team owner's base URL, an uploaded link and a callback
URL all name places for us to connect to. Anyone who can choose such a URL could otherwise
make this server reach its own network: loopback services, the cloud metadata endpoint,
databases on the private LAN (SSRF). So every such request goes through here:

- http(s) only, checked again on every redirect hop (redirects are followed here, at most
  `max_redirects`, never by httpx);
- the host name is resolved once, every address must be public (`is_global`, and not
  multicast, reserved or unspecified; IPv4 addresses embedded in IPv6 are unwrapped), and the
  connection is made to exactly the address that was checked: a custom httpcore network
  backend does resolve, check and connect in one step, so DNS cannot answer differently
  between the check and the connection (rebinding). TLS still verifies the certificate for
  the host *name* (SNI and Host come from the URL, not from the address);
- an overall wall-clock deadline for the whole exchange (connect, TLS, redirects, body), and a
  size cap on the body;
- errors tell what rule refused, never what answered (no "connection refused" or port
  detail), so the guard is no port scanner either.

A private host is reachable only if the operator lists it in `STUDIO_ALLOWED_PRIVATE_HOSTS`
("host" for any port, "host:port" for one port), e.g. an on-premises gateway. Transports that
do not use the network (the embedded simulator's in-process WSGI app) are passed in as
`in_process` and are not guarded: nothing leaves the process.

This module knows no Django model; it reads its defaults from settings, messages are plain
English for logs (callers say it to users in their own, translated words).
"""

import ipaddress
import math
import socket
import ssl
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import httpcore
import httpx

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class OutboundError(Exception):
    """An outbound request that did not give an answer; `str()` is safe to log."""


class NotAllowed(OutboundError):
    """A rule refused the URL (scheme, host, address, redirects) before anything was sent."""


class TimedOut(OutboundError):
    """The overall deadline passed."""


class TooLarge(OutboundError):
    """The body is over the size cap."""


class Unreachable(OutboundError):
    """No answer: the name did not resolve, or the connection or exchange failed."""


@dataclass(frozen=True)
class Policy:
    allowed_private: tuple = ()  # "host" or "host:port" entries an operator allowed
    deadline: float = 120.0  # seconds for the whole exchange
    max_bytes: int = 80 * 1024 * 1024
    max_redirects: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # for one read; the deadline bounds them all together
    verify: object = True  # True, or an ssl.SSLContext (tests pass their own CA)

    @classmethod
    def from_settings(cls, *, also_allow=(), **overrides):
        from django.conf import settings

        values = {
            "allowed_private": tuple(getattr(settings, "STUDIO_ALLOWED_PRIVATE_HOSTS", ()))
            + tuple(also_allow),
            "deadline": float(getattr(settings, "STUDIO_FETCH_DEADLINE", cls.deadline)),
            "max_bytes": int(getattr(settings, "SUNO_MAX_MEDIA_BYTES", cls.max_bytes)),
        }
        values.update(overrides)
        return cls(**values)


def callback_policy(**overrides):
    """For callbacks: the studio's own public URL is where they are meant to go.

    STUDIO_PUBLIC_URL is the operator's setting (often http://127.0.0.1:8000 in development),
    so exactly that host and port is allowed even when private; any other private address a
    caller names as its callback is still refused.
    """
    from django.conf import settings

    own = host_port(getattr(settings, "STUDIO_PUBLIC_URL", ""))
    return Policy.from_settings(also_allow=(own,) if own else (), **overrides)


# --- addresses --------------------------------------------------------------------------


def host_port(url):
    """ "host:port" of a URL (brackets around IPv6), or "" when it has no host."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return ""
    host = _normal_host(parts.hostname or "")
    if not host:
        return ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _normal_host(host):
    return host.strip().strip("[]").rstrip(".").lower()


def _parse_entry(entry):
    """("host", port or None) of an allow-list entry: host, host:port, [v6] or [v6]:port."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        host, port = entry, ""  # a bare name, or a bare IPv6 address
    return _normal_host(host), int(port) if port.isdigit() else None


def is_listed(host, port, allowed):
    host = _normal_host(host)
    for entry in allowed:
        listed_host, listed_port = _parse_entry(entry)
        if listed_host == host and listed_port in (None, port):
            return True
    return False


def _embedded_ipv4(address):
    """IPv4 addresses hidden inside an IPv6 one (mapped, 6to4, Teredo, NAT64)."""
    if address.version != 6:
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in ipaddress.ip_network("64:ff9b::/96"):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def is_public(address):
    """True for an address anyone on the internet could reach, and only such."""
    address = ipaddress.ip_address(address)
    if address.version == 6 and address.scope_id:
        return False
    for candidate in [address, *_embedded_ipv4(address)]:
        if (
            not candidate.is_global
            # is_global lets some of these through (e.g. most of 224.0.0.0/4).
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_private
        ):
            return False
    return True


def resolve(host, port, policy):
    """The addresses to connect to for host:port, each one allowed, or raise.

    An IP literal is not looked up. A listed host may resolve to private addresses; any
    other host must resolve to public ones only (all of them: a name that has one private
    address among public ones is refused rather than tried in turn).
    """
    host = _normal_host(host)
    if not host:
        raise NotAllowed("no host")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = _lookup(host, port)
    if is_listed(host, port, policy.allowed_private):
        return addresses
    for address in addresses:
        if not is_public(address.split("%")[0]):
            raise NotAllowed(f"{host} is not a public address")
    return addresses


def _lookup(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (UnicodeError, OSError) as exc:  # socket.gaierror is an OSError
        raise Unreachable(f"{host} does not resolve") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Unreachable(f"{host} does not resolve")
    return addresses


def check_url(url, policy=None):
    """Raise NotAllowed (or Unreachable when it does not resolve) unless the URL could be
    fetched under the policy; nothing is sent. For validating a URL that is stored now and
    connected to later (a provider's base URL)."""
    policy = policy or Policy.from_settings()
    host, port = _split(url)
    resolve(host, port, policy)


def _split(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise NotAllowed("not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise NotAllowed("only http(s) URLs are fetched")
    if not parts.hostname:
        raise NotAllowed("no host")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


# --- the pinned, deadline-bound connection ------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the overall deadline."""

    def __init__(self, stream, deadline):
        self._stream = stream
        self._deadline = deadline

    def _left(self, timeout, error):
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise error("deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes, timeout=None):
        return self._stream.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer, timeout=None):
        self._stream.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self):
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info):
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolve, check and connect in one step, to the very address that was checked."""

    def __init__(self, policy, deadline):
        self.policy = policy
        self.deadline = deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = resolve(host, port, self.policy)
        error = None
        for address in addresses:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ConnectTimeout("deadline passed")
            try:
                stream = super().connect_tcp(
                    address,  # an IP literal: no second lookup
                    port,
                    timeout=left if timeout is None else min(timeout, left),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self.deadline)
        raise error

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover
        raise NotAllowed("unix sockets are not used")


@cache
def _default_ssl_context():
    return httpx.create_ssl_context()


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend, verify):
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else _default_ssl_context()
        # No proxy from the environment: the proxy would be what we connect to, unchecked.
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        # httpx builds its connection pool without a way to pass a network backend; this
        # pool is the same one with ours (httpx is pinned, see pyproject.toml).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=backend, retries=0
        )


def pinned_transport(policy=None):
    """A transport for a long-lived API client (a provider's base URL): every connection
    goes to an address checked by the same rules, with no overall deadline (the client's
    own time-outs bound each call)."""
    policy = policy or Policy.from_settings()
    return _GuardedTransport(_GuardedBackend(policy, math.inf), policy.verify)


# --- requests ---------------------------------------------------------------------------


@dataclass
class Fetched:
    status_code: int
    url: str
    headers: httpx.Headers
    content: bytes = b""

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")


@dataclass
class Guard:
    """Makes guarded requests; each request has its own deadline and connections.

    `in_process` maps a host name to an httpx transport that never touches the network (the
    embedded simulator); requests to it skip the address rules (not the URL rules).
    """

    policy: Policy = field(default_factory=Policy.from_settings)
    in_process: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def _client(self, deadline):
        transport = _GuardedTransport(_GuardedBackend(self.policy, deadline), self.policy.verify)
        mounts = {f"all://{host}": t for host, t in self.in_process.items()}
        return httpx.Client(
            transport=transport,
            mounts=mounts,
            trust_env=False,
            follow_redirects=False,
            headers=self.headers,
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
        )

    def request(
        self,
        method,
        url,
        *,
        json=None,
        accept_url=None,
        follow_redirects=True,
        read_body=True,
    ):
        """Send one request (following redirects, each hop checked) and return a Fetched.

        `accept_url(url)` may raise NotAllowed for a URL of the chain (e.g. a host not on a
        list). The body is read only for a 2xx answer, within the size cap.
        """
        policy = self.policy
        deadline = time.monotonic() + policy.deadline
        hops = 0
        try:
            with self._client(deadline) as client:
                while True:
                    _split(url)
                    if accept_url:
                        accept_url(url)
                    request = client.build_request(method, url, json=json)
                    response = client.send(request, stream=True)
                    try:
                        location = response.headers.get("Location")
                        if follow_redirects and response.status_code in REDIRECT_STATUSES:
                            if not location:
                                raise Unreachable("redirect without a Location")
                            hops += 1
                            if hops > policy.max_redirects:
                                raise NotAllowed("too many redirects")
                            url = str(response.url.join(location))
                            if response.status_code == 303 or (
                                response.status_code in (301, 302) and method == "POST"
                            ):
                                method, json = "GET", None
                            continue
                        result = Fetched(response.status_code, str(response.url), response.headers)
                        if read_body and 200 <= response.status_code < 300:
                            result.content = _read(response, policy.max_bytes, deadline)
                        return result
                    finally:
                        response.close()
        except httpx.InvalidURL as exc:
            raise NotAllowed("not a valid URL") from exc
        except httpx.TimeoutException as exc:
            raise TimedOut("timed out") from exc
        except (httpx.HTTPError, httpx.StreamError) as exc:
            # Which error (refused, reset, protocol) would tell what answers where: say none.
            raise Unreachable("could not be fetched") from exc


def _read(response, limit, deadline):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"larger than {limit} bytes")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"larger than {limit} bytes")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise TimedOut("timed out")
    return b"".join(chunks)


def request(method, url, *, policy=None, in_process=None, headers=None, **kwargs):
    """One guarded request (see Guard.request)."""
    guard = Guard(policy or Policy.from_settings(), in_process or {}, headers or {})
    return guard.request(method, url, **kwargs)
