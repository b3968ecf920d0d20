"""The one place the studio makes HTTP calls to a provider, and maps what goes wrong."""

import json
import logging

import httpx
from django.utils.translation import gettext_noop

from music.upstream import netguard
from music.upstream.base import Reason, UpstreamError

log = logging.getLogger(__name__)

# Upstream error codes that mean "this request as written will never work".
PERMANENT_STATUSES = {400, 401, 402, 403, 404, 405, 409, 413, 422}
MAX_JSON_DEPTH = 40


class BadJSON(ValueError):
    pass


def _clean(value, depth=0):
    """NUL bytes out of every string (PostgreSQL refuses them), and a bounded depth."""
    if depth > MAX_JSON_DEPTH:
        raise BadJSON("nested too deeply")
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    return value


def decode_json(data):
    """Parse JSON from a provider (an answer or a callback body) into values the database
    can store: NaN and Infinity become None, NUL bytes are dropped, depth is bounded.
    Raises BadJSON for anything that is not such JSON."""
    try:
        return _clean(json.loads(data, parse_constant=lambda name: None))
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError) as exc:
        raise BadJSON(str(exc)[:200]) from exc


def make_client(base_url, api_key, *, timeout=30.0, transport=None):
    headers = {"Accept": "application/json", "User-Agent": "studio/0.1"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        # Connecting should be quick; generation answers can take a while.
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=transport,
        follow_redirects=False,
    )


def call(client, method, path, *, json_body=None, error_parser=None):
    """Send one request and return the decoded JSON answer, or raise UpstreamError."""
    try:
        response = client.request(method, path, json=json_body)
    except netguard.NotAllowed as exc:
        raise UpstreamError(
            gettext_noop("The provider's address is not allowed: it is on a private network."),
            code="not_allowed",
            permanent=True,
            accepted=False,
        ) from exc
    except netguard.OutboundError as exc:
        raise UpstreamError(
            gettext_noop("Could not reach the provider."),
            details=exc.__class__.__name__,
            code="unreachable",
            accepted=False,
        ) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise UpstreamError(
            gettext_noop("Could not reach the provider."),
            details=exc.__class__.__name__,
            code="unreachable",
            accepted=False,
        ) from exc
    except httpx.PoolTimeout as exc:
        raise UpstreamError(
            gettext_noop("Too many calls in flight to the provider."), code="busy", accepted=False
        ) from exc
    except httpx.TimeoutException as exc:
        raise UpstreamError(
            gettext_noop("The provider did not answer in time."), code="timeout", accepted=True
        ) from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(
            gettext_noop("The connection to the provider failed."),
            details=exc.__class__.__name__,
            code="network",
            accepted=True,
        ) from exc

    try:
        body = decode_json(response.content)
    except BadJSON:
        body = None

    if response.status_code >= 400:
        code, message = error_parser(body) if error_parser and body is not None else ("", "")
        status = response.status_code
        ours = Reason(
            gettext_noop("The provider answered with an error (HTTP %(status)s)."),
            message,
            status=status,
        )
        raise UpstreamError(
            ours,
            details=message,
            code=code or f"http_{status}",
            status=status,
            permanent=status in PERMANENT_STATUSES,
            # 429 means "not taken, slow down"; anything else may have started a job.
            accepted=status not in PERMANENT_STATUSES and status != 429,
            raw=body if isinstance(body, dict) else None,
        )
    if body is None:
        snippet = response.text[:120].strip()
        raise UpstreamError(
            gettext_noop("The provider's answer was not valid JSON."),
            details=snippet,
            code="malformed",
            status=response.status_code,
            accepted=True,
        )
    return body
