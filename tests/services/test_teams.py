"""The demo user: made once, never reset by a later `make run`."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from music.models import Team
from music.services.teams import DEMO_PASSWORD, demo_login, ensure_demo


def test_ensure_demo_makes_the_admin_and_team_once(db):
    user, team = ensure_demo()
    assert user.is_superuser and user.is_staff and user.check_password(DEMO_PASSWORD)
    again, same_team = ensure_demo()
    assert (again, same_team) == (user, team)
    assert Team.objects.count() == 1


def test_a_changed_password_survives_the_next_run(db, capsys):
    user, _ = ensure_demo()
    user.set_password("chosen-by-the-team")
    user.save()
    call_command("setup_demo")
    user.refresh_from_db()
    assert user.check_password("chosen-by-the-team")
    assert not user.check_password(DEMO_PASSWORD)
    out = capsys.readouterr().out
    assert DEMO_PASSWORD not in out and "kept" in out


def test_setup_demo_prints_the_login_it_made(db, capsys):
    call_command("setup_demo")
    assert "demo / demo-studio" in capsys.readouterr().out
    assert get_user_model().objects.get(username="demo").check_password(DEMO_PASSWORD)


def test_the_demo_hint_needs_demo_mode_and_the_default_password(db, settings):
    user, _ = ensure_demo()
    settings.STUDIO_DEMO = False
    assert demo_login() is None
    settings.STUDIO_DEMO = True
    assert demo_login() == ("demo", DEMO_PASSWORD)
    user.is_active = False
    user.save()
    assert demo_login() is None


def test_setup_demo_run_twice_makes_one_user_one_team(db, capsys):
    call_command("setup_demo")
    call_command("setup_demo")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert Team.objects.count() == 1
    assert Team.objects.get().memberships.get().role == "owner"
