"""Signing in: throttled by django-axes on the studio's login and the admin's, with a page
that says what to do; the demo hint only in demo mode."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from music.services.teams import ensure_demo
from tests.factories import UserFactory

PASSWORD = "secret-pass-123"  # tests/factories.py


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # Every wrong guess before the lock is a real password check; the default hasher is slow
    # on purpose, and these tests make many guesses.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, member):
    for _ in range(30):
        response = sign_in(client, member.username, "wrong-guess")
    assert response.status_code == 429
    response = sign_in(client, member.username, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "Too many failed sign-ins" in html
    assert "locked for 15 minutes" in html and "ask an admin" in html
    assert '<header class="topbar">' in html  # the studio's own page, not a bare 403 text


def test_a_few_typos_do_not_lock_and_the_right_password_forgives_them(client, member):
    for _ in range(4):
        assert sign_in(client, member.username, "typo").status_code == 200
    assert sign_in(client, member.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=member.username).exists()


def test_the_lock_is_for_that_username_only(client, member, owner):
    for _ in range(5):
        sign_in(client, member.username, "wrong-guess")
    assert sign_in(client, owner.username, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        sign_in(client, admin.username, "wrong-guess", url=url)
    response = sign_in(client, admin.username, PASSWORD, url=url)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_page_is_in_chinese(client, member):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    try:
        for _ in range(6):
            response = sign_in(client, member.username, "wrong-guess")
        html = response.content.decode()
        assert "登录失败次数过多" in html
        assert "Too many failed sign-ins" not in html
    finally:
        translation.activate("en")


def test_an_admin_unlocks_with_the_reset_command(client, member):
    for _ in range(5):
        sign_in(client, member.username, "wrong-guess")
    assert sign_in(client, member.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", member.username)
    assert sign_in(client, member.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_admins_see_and_delete_attempts_in_django_admin(client, member):
    for _ in range(5):
        sign_in(client, member.username, "wrong-guess")
    attempt = AccessAttempt.objects.get(username=member.username)
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert member.username in admin_client.get(changelist).content.decode()
    admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, member.username, PASSWORD).status_code == 302


def test_the_test_clients_login_passes_axes(client, member):
    assert client.login(username=member.username, password=PASSWORD)
    assert client.get(reverse("music:library")).status_code == 200


@pytest.mark.parametrize("demo_mode", [True, False])
def test_the_demo_login_is_shown_only_in_demo_mode(client, settings, db, demo_mode):
    settings.STUDIO_DEMO = demo_mode
    ensure_demo()
    html = client.get(reverse("login")).content.decode()
    assert ("demo-studio" in html) is demo_mode


def test_the_demo_login_is_hidden_once_its_password_changed(client, settings, db):
    settings.STUDIO_DEMO = True
    user, _ = ensure_demo()
    user.set_password("a-private-password")
    user.save()
    assert "demo-studio" not in client.get(reverse("login")).content.decode()
