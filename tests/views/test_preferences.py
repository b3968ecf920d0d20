"""The theme picker without script: a form that keeps the choice in a cookie the server reads,
so every page (and the first paint) has the chosen palette."""

import pytest
from django.urls import reverse

from music.services.preferences import THEME_COOKIE


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_choosing_a_theme_remembers_it_and_pages_are_rendered_with_it(member_client, theme):
    response = member_client.post(reverse("set_theme"), {"theme": theme, "next": "/tasks/"})
    assert response.status_code == 302 and response.url == "/tasks/"
    cookie = response.cookies[THEME_COOKIE]
    assert cookie.value == theme and cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    html = member_client.get(reverse("music:tasks")).content.decode()
    assert f'data-theme="{theme}"' in html
    assert f'<meta name="color-scheme" content="{theme}">' in html
    assert f'value="{theme}" aria-pressed="true"' in html


def test_system_is_the_default_and_follows_the_device(member_client):
    html = member_client.get(reverse("music:library")).content.decode()
    assert "data-theme=" not in html  # the stylesheet follows prefers-color-scheme
    assert '<meta name="color-scheme" content="dark light">' in html
    assert 'value="system" aria-pressed="true"' in html


def test_a_tampered_cookie_is_read_as_system(member_client):
    member_client.cookies[THEME_COOKIE] = '"><script>'
    html = member_client.get(reverse("music:library")).content.decode()
    assert "data-theme=" not in html


def test_signed_out_readers_choose_too(client, db):
    response = client.post(reverse("set_theme"), {"theme": "dark", "next": "/accounts/login/"})
    assert response.url == "/accounts/login/"
    assert 'data-theme="dark"' in client.get(reverse("login")).content.decode()


def test_an_unknown_theme_is_refused_and_nothing_is_kept(member_client):
    response = member_client.post(reverse("set_theme"), {"theme": "purple"})
    assert response.status_code == 400
    assert THEME_COOKIE not in response.cookies


def test_next_may_not_leave_the_studio(member_client):
    response = member_client.post(
        reverse("set_theme"), {"theme": "light", "next": "https://evil.example/"}
    )
    assert response.url == reverse("music:library")


def test_only_post_changes_it(member_client):
    assert member_client.get(reverse("set_theme"), {"theme": "light"}).status_code == 405
