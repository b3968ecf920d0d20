"""A team member using the studio over HTTP, the way a browser does: sign in through the login
form, read each page's form, post it back with its CSRF token and one-time request key.

Every answer is tallied: statuses, 5xx answers (server errors) and connection errors, the
latter split by whether the web server was being killed at the time (`Tally.window`).
"""

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx
from _forms import find_form

CONNECTION_ERRORS = (httpx.TransportError,)


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)  # (method, path, status)
    conn_in_window: int = 0
    conn_other: list = field(default_factory=list)  # (method, path, error)
    window: bool = False  # the web server is being killed / restarted
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method, path, status):
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append((method, path, status))

    def connection_error(self, method, path, exc, in_window):
        with self.lock:
            if in_window:
                self.conn_in_window += 1
            else:
                self.conn_other.append((method, path, type(exc).__name__))


class Down(Exception):
    """No answer (connection refused or reset, time-out)."""


class Member:
    """A signed-in member. With several web servers (`base` a list), each request goes to the
    next one in turn: a page from one server, its form posted to the other."""

    def __init__(self, base, username, password, tally):
        self.bases = [base] if isinstance(base, str) else list(base)
        self.base = self.bases[0]
        self.username, self.password, self.tally = username, password, tally
        self.cookies = httpx.Cookies()
        self._local = threading.local()
        self._turn = itertools.count()

    @property
    def client(self):
        """One client per thread, sharing this member's session cookie."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(
                base_url=self.base, cookies=self.cookies, timeout=40, follow_redirects=False
            )
            self._local.client = client
        return client

    def close(self):
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()
            self._local.client = None

    def request(self, method, path, **kwargs):
        in_window = self.tally.window
        url = path
        if len(self.bases) > 1 and path.startswith("/"):
            url = self.bases[next(self._turn) % len(self.bases)] + path
        try:
            response = self.client.request(method, url, **kwargs)
        except CONNECTION_ERRORS as exc:
            self.tally.connection_error(method, path, exc, in_window or self.tally.window)
            raise Down(f"{method} {path}: {type(exc).__name__}") from exc
        self.tally.answer(method, path, response.status_code)
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data=data)

    def login(self):
        page = self.get("/accounts/login/")
        form = find_form(page.text, has="username")
        response = self.post(
            "/accounts/login/", form.data(username=self.username, password=self.password)
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: HTTP {response.status_code}")
        # Keep the session for every thread's client.
        for cookie in self.client.cookies.jar:
            self.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)

    def form(self, path, **match):
        """GET a page and return (its form, the page) for the given match (see find_form)."""
        page = self.get(path)
        if page.status_code != 200:
            return None, page
        return find_form(page.text, **match), page
