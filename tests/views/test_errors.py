"""Error pages: 404, 403 (and the CSRF and refusal pages), 500 and 400 are the studio's own, in
the reader's language and theme, with DEBUG off; the 500 page needs no database."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import include, path, reverse

from music.services import preferences
from music.views import errors
from studio import urls as studio_urls

PASSWORD = "secret-pass-123"  # tests/factories.py


def boom(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise PermissionDenied


def garbage(request):
    raise SuspiciousOperation("a tampered request")


# This module is the URLconf of these tests: the studio's, plus views that fail on purpose.
urlpatterns = [
    path("boom/", boom),
    path("refuse/", refuse),
    path("garbage/", garbage),
    path("", include("studio.urls")),
]
handler500 = studio_urls.handler500  # the studio's own, as the real URLconf names it


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def chinese(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def text(response):
    return response.content.decode()


@pytest.mark.parametrize(
    "language, title, message",
    [
        ("en", "Page not found", "it belongs to another team"),
        ("zh-hans", "页面不存在", "或属于其他团队"),
    ],
)
def test_404_is_the_studios_page_in_the_readers_language(member_client, language, title, message):
    member_client.cookies["django_language"] = language
    response = member_client.get("/no-such-page/")
    assert response.status_code == 404
    html = text(response)
    assert f'<html lang="{language}"' in html
    assert title in html and message in html
    assert 'class="error-code"' in html and "404" in html
    assert 'class="mainnav"' in html  # a signed-in reader keeps the studio's menu
    assert "Not Found" not in html  # not Django's bare page


def test_another_teams_song_is_the_same_404(member_client, outsider):
    from tests.factories import SongFactory

    song = SongFactory(team=outsider.memberships.get().team)
    response = member_client.get(reverse("music:song", args=[song.pk]))
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_404_for_someone_signed_out_has_the_language_and_theme_pickers(client, db):
    response = chinese(client).get("/no-such-page/")
    assert response.status_code == 404
    html = text(response)
    assert "页面不存在" in html
    assert 'id="language"' in html and 'id="theme-form"' in html
    assert 'class="mainnav"' not in html


@pytest.mark.parametrize(
    "language, title, message",
    [
        ("en", "Not allowed", "ask an owner of your team"),
        ("zh-hans", "无权操作", "请联系团队的所有者"),
    ],
)
def test_403_is_the_studios_page(member_client, language, title, message):
    member_client.cookies["django_language"] = language
    response = member_client.get("/refuse/")
    assert response.status_code == 403
    html = text(response)
    assert title in html and message in html and 'class="error-code"' in html


def test_a_viewers_refusal_uses_the_same_card(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("music:create"))
    assert response.status_code == 403
    html = text(response)
    assert 'class="card error-page"' in html and "Viewers can listen and download" in html


def test_an_expired_form_gets_a_page_that_says_what_to_do(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    chinese(client)
    response = client.post(reverse("music:create"), {"mode": "inspiration", "prompt": "x"})
    assert response.status_code == 403
    html = text(response)
    assert "表单已过期" in html and "重新提交表单" in html
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(
    "language, title, message",
    [
        ("en", "Something went wrong", "Your songs and tasks are safe"),
        ("zh-hans", "出错了", "你的歌曲和任务都不受影响"),
    ],
)
def test_500_through_a_view_that_raises(member, language, title, message):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    client.cookies["django_language"] = language
    response = client.get("/boom/")
    assert response.status_code == 500
    html = text(response)
    assert f'<html lang="{language}"' in html
    assert title in html and message in html
    assert "/static/css/studio.css" in html and "favicon.svg" in html
    assert "a bug" not in html  # nothing of the exception reaches the reader


def test_500_page_renders_without_the_database_and_keeps_the_theme():
    # No `db` fixture: any query here would fail the test.
    request = RequestFactory().get("/")
    request.COOKIES[preferences.THEME_COOKIE] = "light"
    response = errors.server_error(request)
    assert response.status_code == 500
    html = text(response)
    assert 'data-theme="light"' in html and "Something went wrong" in html


def test_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch):
    def broken(name):
        raise ValueError("missing from the static manifest")

    monkeypatch.setattr(loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Server error (500)" in text(response)


def test_400_is_the_studios_page(client, db):
    response = chinese(client).get("/garbage/")
    assert response.status_code == 400
    html = text(response)
    assert "请求无效" in html and 'class="error-code"' in html
