"""The outbound guard: public addresses only, pinned, every hop checked, a deadline, a cap.

Real httpx requests against servers on 127.0.0.1; private ranges elsewhere are simulated by
answering `getaddrinfo` ourselves, and refused before any connection is tried.
"""

import types

import pytest

from music.upstream import netguard
from music.upstream.simulator import app
from tests.localserver import Route, closed_port, fake_dns, local_server, self_signed


@pytest.fixture
def server():
    with local_server({"/ok": Route(b"hello")}) as srv:
        yield srv


def listed(*entries, **overrides):
    return netguard.Policy(allowed_private=entries, **overrides)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://[::ffff:127.0.0.1]:{port}/ok",  # IPv4-mapped IPv6
        "http://[::ffff:7f00:1]:{port}/ok",  # the same, spelt in hex
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://0.0.0.0:{port}/ok",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    ],
)
def test_private_and_special_addresses_are_refused_before_connecting(server, url):
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", url.format(port=server.port), policy=netguard.Policy())
    assert server.hits == []


@pytest.mark.parametrize("url", ["ftp://example.com/a.mp3", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https(url):
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", url, policy=netguard.Policy())


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["169.254.169.254"], ["::ffff:127.0.0.1"], ["8.8.8.8", "192.168.0.7"]],
)
def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, addresses):
    # The last case: one private address among public ones is enough to refuse the name.
    fake_dns(monkeypatch, {"cdn.example.test": addresses})
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", "https://cdn.example.test/a.mp3", policy=netguard.Policy())
    with pytest.raises(netguard.NotAllowed):
        netguard.check_url("https://cdn.example.test/a.mp3", netguard.Policy())


def test_a_listed_private_host_is_allowed_with_its_port_rule(server):
    url = server.url("/ok")
    assert netguard.request("GET", url, policy=listed(server.host_port)).content == b"hello"
    assert netguard.request("GET", url, policy=listed("127.0.0.1")).content == b"hello"
    other_port = server.port + 1 if server.port < 65535 else server.port - 1
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", url, policy=listed(f"127.0.0.1:{other_port}"))
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", url, policy=listed("localhost"))  # names, not addresses
    assert len(server.hits) == 2


def test_every_redirect_hop_is_checked(server):
    with local_server({"/secret": Route(b"internal")}) as internal:
        server.routes["/to-internal"] = Route(
            status=302, headers={"Location": internal.url("/secret")}
        )
        server.routes["/to-localhost"] = Route(
            status=302, headers={"Location": server.url("/ok", host="localhost")}
        )
        server.routes["/to-file"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
        for path in ("/to-internal", "/to-localhost", "/to-file"):
            with pytest.raises(netguard.NotAllowed):
                netguard.request("GET", server.url(path), policy=listed(server.host_port))
        assert internal.hits == []


def test_redirects_on_allowed_hosts_are_followed_a_few_times(server):
    server.routes["/moved"] = Route(status=301, headers={"Location": "/ok"})
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    policy = listed(server.host_port)
    fetched = netguard.request("GET", server.url("/moved"), policy=policy)
    assert (fetched.status_code, fetched.content) == (200, b"hello")
    with pytest.raises(netguard.NotAllowed):
        netguard.request("GET", server.url("/loop"), policy=policy)
    assert sum(1 for hit in server.hits if hit[1] == "/loop") == policy.max_redirects + 1


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    """Resolved once, connected to that very address; the Host header keeps the name."""
    asked = fake_dns(monkeypatch, {"media.test": ["127.0.0.1"]})
    fetched = netguard.request(
        "GET", server.url("/ok", host="media.test"), policy=listed(f"media.test:{server.port}")
    )
    assert fetched.content == b"hello"
    assert asked == ["media.test"]
    assert server.hits[0][2]["Host"] == f"media.test:{server.port}"


def test_https_verifies_the_certificate_for_the_name_not_the_pinned_address(tmp_path, monkeypatch):
    server_tls, client_tls = self_signed(tmp_path, "media.test")
    fake_dns(monkeypatch, {"media.test": ["127.0.0.1"]})
    with local_server({"/ok": Route(b"secure")}, tls_context=server_tls) as srv:
        url = srv.url("/ok", host="media.test", scheme="https")
        policy = listed(f"media.test:{srv.port}", verify=client_tls)
        assert netguard.request("GET", url, policy=policy).content == b"secure"
        # Reached by its address, the same certificate does not match: refused by TLS.
        ip_policy = listed(srv.host_port, verify=client_tls)
        with pytest.raises(netguard.Unreachable):
            netguard.request("GET", srv.url("/ok", scheme="https"), policy=ip_policy)


def test_the_overall_deadline_stops_a_trickling_server(server):
    # One byte every half second: no single read times out, the whole download does.
    server.routes["/slow"] = Route(b"x" * 40, trickle=0.5)
    policy = listed(server.host_port, deadline=1.0, read_timeout=5.0)
    with pytest.raises(netguard.TimedOut):
        netguard.request("GET", server.url("/slow"), policy=policy)


def test_bodies_over_the_size_cap_are_refused(server):
    server.routes["/big"] = Route(b"x" * 5000)
    server.routes["/says-big"] = Route(b"x" * 10, headers={"Content-Length": "999999999"})
    server.routes["/no-length"] = Route(b"x" * 5000, declare_length=False)
    policy = listed(server.host_port, max_bytes=1000)
    for path in ("/big", "/says-big", "/no-length"):
        with pytest.raises(netguard.TooLarge):
            netguard.request("GET", server.url(path), policy=policy)


def test_errors_do_not_tell_what_answered(server):
    port = closed_port()
    with pytest.raises(netguard.Unreachable) as info:
        netguard.request("GET", f"http://127.0.0.1:{port}/", policy=listed("127.0.0.1"))
    assert str(info.value) == "could not be fetched"
    assert "refused" not in str(info.value).lower()
    # Not listed: the same refusal whether something listens there or not.
    messages = set()
    for url in (server.url("/ok"), f"http://127.0.0.1:{port}/"):
        with pytest.raises(netguard.NotAllowed) as info:
            netguard.request("GET", url, policy=netguard.Policy())
        messages.add(str(info.value))
    assert messages == {"127.0.0.1 is not a public address"}


def test_the_settings_allow_list_and_deadline_are_used(settings, server):
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [server.host_port]
    settings.STUDIO_FETCH_DEADLINE = 7
    policy = netguard.Policy.from_settings()
    assert policy.deadline == 7.0
    assert netguard.request("GET", server.url("/ok")).content == b"hello"


@pytest.mark.parametrize(
    ("entry", "host", "port", "ok"),
    [
        ("gw.internal", "GW.internal.", 8443, True),
        ("gw.internal:8443", "gw.internal", 8443, True),
        ("gw.internal:8443", "gw.internal", 443, False),
        ("[::1]:8000", "::1", 8000, True),
        ("::1", "::1", 1234, True),
        ("[::1]", "::1", 1234, True),
        ("other", "gw.internal", 80, False),
    ],
)
def test_allow_list_entries(entry, host, port, ok):
    assert netguard.is_listed(host, port, [entry]) is ok


# --- the simulator's callbacks -------------------------------------------------------------
@pytest.fixture
def fire_now(monkeypatch):
    class Now:
        def __init__(self, delay, fire):
            self.fire = fire
            self.daemon = True

        def start(self):
            self.fire()

    monkeypatch.setattr(app, "threading", types.SimpleNamespace(Timer=Now))


def test_simulator_callbacks_go_to_the_studio_but_not_to_other_private_addresses(
    simulator, settings, fire_now
):
    simulator.send_callbacks = True
    with local_server({"/hook": Route(b"ok")}) as studio, local_server() as other:
        settings.STUDIO_PUBLIC_URL = f"http://127.0.0.1:{studio.port}"
        simulator.schedule_callback("job", studio.url("/hook"), body=lambda job_id: {"id": job_id})
        simulator.schedule_callback("job", other.url("/hook"), body=lambda job_id: {"id": job_id})
        assert [(method, path) for method, path, _ in studio.hits] == [("POST", "/hook")]
        assert other.hits == []
