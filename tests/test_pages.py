"""Pages load nothing from the internet and carry a strict Content-Security-Policy."""

import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_loads_assets_from_the_internet():
    pattern = re.compile(r'<(script|link|img|audio|source)[^>]+(src|href)="(https?:)?//', re.I)
    offenders = [
        str(p) for p in (ROOT / "templates").rglob("*.html") if pattern.search(p.read_text())
    ]
    assert offenders == []


def test_pages_send_a_csp_that_allows_only_our_own_origin(member_client):
    response = member_client.get(reverse("music:library"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy


def test_vendored_htmx_is_served_from_static(member_client):
    html = member_client.get(reverse("music:library")).content.decode()
    assert "/static/vendor/htmx-2.0.8/htmx.min.js" in html
    assert (ROOT / "static/vendor/htmx-2.0.8/htmx.min.js").stat().st_size > 40_000
