"""`upstream.http`, the one place the studio calls a provider: what each failure becomes.

Money hangs on `accepted` (may the provider have taken and charged the request? then it is
never sent again) and `permanent` (will it fail the same way again?). Real HTTP to small
servers on 127.0.0.1; nothing is mocked.
"""

import json
import socket
import threading

import httpx
import pytest

from music.upstream import netguard
from music.upstream.base import UpstreamError
from music.upstream.http import BadJSON, call, decode_json, make_client
from tests.localserver import LocalServer, Route, closed_port, fake_dns


@pytest.fixture(scope="module")
def shared_server():
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def server(shared_server):
    """One server for the module (starting one per test is most of the run's time)."""
    shared_server.routes.clear()
    shared_server.hits.clear()
    return shared_server


# The contract, written out: a test that read these off the module would follow a bug in it.
PERMANENT = [400, 401, 402, 403, 404, 405, 409, 413, 422]
MAX_DEPTH = 40


def answer(status, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Route(data, status=status, headers={"Content-Type": "application/json"})


def failure(server, path="/x", **kwargs):
    with (
        make_client(server.url(""), "key", timeout=5) as client,
        pytest.raises(UpstreamError) as caught,
    ):
        call(client, "POST", path, json_body={"a": 1}, **kwargs)
    return caught.value


# --- decode_json ----------------------------------------------------------------------


def test_decode_json_turns_nan_and_infinity_into_none_and_drops_nul_bytes_everywhere():
    data = b'{"a\\u0000b": [NaN, Infinity, -Infinity, "x\\u0000y", {"k": "\\u0000"}], "n": 1}'
    assert decode_json(data) == {"ab": [None, None, None, "xy", {"k": ""}], "n": 1}


def test_decode_json_keeps_clean_values_as_they_are():
    assert decode_json(b'{"s": "plain", "f": 1.5, "t": true, "z": null}') == {
        "s": "plain",
        "f": 1.5,
        "t": True,
        "z": None,
    }


def test_decode_json_bounds_the_depth_at_the_limit():
    def lists(levels):
        return ("[" * levels + "]" * levels).encode()

    def dicts(levels):
        return ('{"k":' * levels + "1" + "}" * levels).encode()

    assert decode_json(lists(MAX_DEPTH + 1)) is not None  # the innermost list at depth 40
    with pytest.raises(BadJSON, match="nested too deeply"):
        decode_json(lists(MAX_DEPTH + 2))
    assert decode_json(dicts(MAX_DEPTH))  # the innermost value at depth 40
    with pytest.raises(BadJSON, match="nested too deeply"):
        decode_json(dicts(MAX_DEPTH + 1))
    with pytest.raises(BadJSON):  # far past Python's own recursion limit
        decode_json(lists(100_000))


@pytest.mark.parametrize("data", [b"<html>oops</html>", b'"\xff"', b"", None])
def test_decode_json_refuses_what_is_not_json(data):
    with pytest.raises(BadJSON):
        decode_json(data)


# --- the client -----------------------------------------------------------------------


def test_the_client_sends_the_key_asks_for_json_and_never_follows_redirects(server):
    routes = {"/x": Route(b'{"ok": 1}', status=302, headers={"Location": "/elsewhere"})}
    server.routes.update(routes)
    with make_client(server.url(""), "secret-key", timeout=5) as client:
        assert call(client, "GET", "/x") == {"ok": 1}
    with make_client(server.url(""), "", timeout=5) as client:
        call(client, "GET", "/x")
    (_, path, keyed), (_, _, anonymous) = server.hits
    assert [hit[1] for hit in server.hits] == ["/x", "/x"]  # /elsewhere never asked
    assert keyed["Authorization"] == "Bearer secret-key"
    assert keyed["Accept"] == "application/json"
    assert keyed["User-Agent"] == "studio/0.1"
    assert "Authorization" not in anonymous


def test_connecting_is_bounded_at_ten_seconds_and_answers_by_the_timeout():
    assert make_client("http://p.example", "", timeout=60).timeout == httpx.Timeout(60, connect=10)
    assert make_client("http://p.example", "", timeout=3).timeout == httpx.Timeout(3, connect=3)


def test_an_answer_is_returned_decoded_and_the_body_sent_as_json(server):
    server.routes.update({"/x": answer(200, {"id": "job-1"})})
    with make_client(server.url(""), "k", timeout=5) as client:
        assert call(client, "POST", "/x", json_body={"prompt": "p"}) == {"id": "job-1"}
    ((method, path, headers),) = server.hits
    assert (method, path) == ("POST", "/x")
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(b'{"prompt":"p"}'))


@pytest.mark.parametrize("status", [200, 201, 202, 399])
def test_any_status_below_400_with_json_is_an_answer(status, server):
    server.routes.update({"/x": answer(status, {"id": "job-1"})})
    with make_client(server.url(""), "k", timeout=5) as client:
        assert call(client, "POST", "/x") == {"id": "job-1"}


# --- errors with an answer ------------------------------------------------------------


@pytest.mark.parametrize("status", PERMANENT)
def test_a_refusal_is_permanent_and_was_not_taken(status, server):
    server.routes.update({"/x": answer(status, {"error": "no"})})
    error = failure(server)
    assert (error.permanent, error.accepted) == (True, False)
    assert error.status == status
    assert error.code == f"http_{status}"
    assert error.raw == {"error": "no"}
    assert f"HTTP {status}" in error.message


@pytest.mark.parametrize("status", [406, 408, 410, 500, 502, 503, 504])
def test_other_errors_may_hide_a_job_so_they_count_as_taken(status, server):
    server.routes.update({"/x": answer(status, {"error": "down"})})
    error = failure(server)
    assert (error.permanent, error.accepted) == (False, True)
    assert error.code == f"http_{status}"


def test_too_many_requests_was_not_taken_and_may_be_tried_again(server):
    server.routes.update({"/x": answer(429, {"error": "slow"})})
    error = failure(server)
    assert (error.permanent, error.accepted, error.status) == (False, False, 429)


def test_the_providers_error_parser_names_the_code_and_its_words(server):
    seen = []

    def parse(body):
        seen.append(body)
        return "too_long", "Prompt too long."

    server.routes.update({"/x": answer(400, {"msg": "Prompt too long."})})
    error = failure(server, error_parser=parse)
    assert seen == [{"msg": "Prompt too long."}]
    assert error.code == "too_long"
    assert error.details == "Prompt too long."
    assert "Prompt too long." in error.message


def test_an_error_without_json_is_not_handed_to_the_parser(server):
    def parse(body):
        raise AssertionError("parsed a body that is not JSON")

    server.routes.update({"/x": Route(b"<h1>Bad gateway</h1>", status=502)})
    error = failure(server, error_parser=parse)
    assert (error.code, error.details, error.raw) == ("http_502", "", None)


def test_an_error_whose_json_is_not_an_object_keeps_no_raw_answer(server):
    server.routes.update({"/x": answer(500, [1, 2])})
    error = failure(server)
    assert error.raw is None


def test_a_success_that_is_not_json_is_malformed_and_counts_as_taken(server):
    body = b"  <html>" + b"x" * 300 + b"</html>"
    server.routes.update({"/x": Route(body, status=200)})
    error = failure(server)
    assert (error.code, error.accepted, error.status) == ("malformed", True, 200)
    assert error.details == body.decode()[:120].strip()
    assert "not valid JSON" in error.message


# --- errors without an answer ---------------------------------------------------------


def test_nothing_listening_was_not_taken():
    port = closed_port()
    with (
        make_client(f"http://127.0.0.1:{port}", "", timeout=5) as client,
        pytest.raises(UpstreamError) as caught,
    ):
        call(client, "POST", "/x")
    error = caught.value
    assert (error.code, error.accepted, error.permanent) == ("unreachable", False, False)
    assert error.details == "ConnectError"


def test_a_time_out_after_sending_counts_as_taken(server):
    slow = Route(b'{"late": true}', trickle=0.5)
    server.routes.update({"/x": slow})
    with (
        make_client(server.url(""), "", timeout=0.2) as client,
        pytest.raises(UpstreamError) as caught,
    ):
        call(client, "POST", "/x")
    error = caught.value
    assert (error.code, error.accepted, error.permanent) == ("timeout", True, False)


def test_a_connection_dropped_before_the_answer_counts_as_taken():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hang_up():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()  # the request arrived; no answer comes

    threading.Thread(target=hang_up, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        with (
            make_client(f"http://127.0.0.1:{port}", "", timeout=5) as client,
            pytest.raises(UpstreamError) as caught,
        ):
            call(client, "POST", "/x")
    finally:
        listener.close()
    error = caught.value
    assert (error.code, error.accepted) == ("network", True)
    assert error.details == "RemoteProtocolError"


def test_all_connections_busy_was_not_taken(server):
    slow = Route(b'{"ok": 1}', trickle=0.05)
    server.routes.update({"/x": slow})
    client = httpx.Client(
        base_url=server.url(""),
        limits=httpx.Limits(max_connections=1),
        timeout=httpx.Timeout(5, pool=0.05),
    )
    first = threading.Thread(target=lambda: client.get("/x"), daemon=True)
    first.start()
    for _ in range(1000):  # bounded: until the only connection is taken
        if server.hits:
            break
        threading.Event().wait(0.01)
    with pytest.raises(UpstreamError) as caught:
        call(client, "GET", "/x")
    first.join()
    client.close()
    assert (caught.value.code, caught.value.accepted) == ("busy", False)


def test_a_provider_on_a_private_address_is_refused_for_good(monkeypatch):
    fake_dns(monkeypatch, {"provider.test": ["10.0.0.7"]})
    transport = netguard.pinned_transport(netguard.Policy(allowed_private=()))
    with (
        make_client("http://provider.test", "", timeout=5, transport=transport) as client,
        pytest.raises(UpstreamError) as caught,
    ):
        call(client, "POST", "/x")
    error = caught.value
    assert (error.code, error.permanent, error.accepted) == ("not_allowed", True, False)


def test_a_provider_name_that_does_not_resolve_was_not_taken(monkeypatch):
    fake_dns(monkeypatch, {"gone.test": []})
    transport = netguard.pinned_transport(netguard.Policy(allowed_private=()))
    with (
        make_client("http://gone.test", "", timeout=5, transport=transport) as client,
        pytest.raises(UpstreamError) as caught,
    ):
        call(client, "POST", "/x")
    error = caught.value
    assert (error.code, error.permanent, error.accepted) == ("unreachable", False, False)
    assert error.details == "Unreachable"


def test_decode_json_keeps_the_reason_short():
    """The reason lands in logs and error messages: at most 200 characters of it."""
    long_named = type("L" * 300, (), {})()  # TypeError's message names the type
    with pytest.raises(BadJSON) as caught:
        decode_json(long_named)
    assert len(str(caught.value)) == 200
    assert str(caught.value).startswith("the JSON object must be str, bytes or bytearray")


def test_a_client_without_a_time_out_waits_thirty_seconds_for_an_answer():
    assert make_client("http://p.example", "").timeout == httpx.Timeout(30, connect=10)
