"""The create form's advanced controls in a real browser: folded away, switched off for a
model that does not take them (so nothing of them is sent), and sent once the model does."""

import re

import pytest

from music.models import Task
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_controls_follow_the_model_and_are_sent_only_when_it_takes_them(page):
    sign_in(page, MembershipFactory(role="member").user)
    page.goto("/create/")
    assert not page.locator("#id_vocal_gender").is_visible()  # folded away
    assert not page.locator("#id_duration").is_visible()
    page.click("#advanced-controls summary")
    page.select_option("#id_model", "chirp-v4")
    assert page.is_disabled("#id_vocal_gender") and page.is_disabled("#id_weirdness")
    assert page.locator(".advanced-off").is_visible()
    assert page.is_enabled("#id_lyric_prompt")  # every model takes a lyrics idea
    assert page.is_enabled("#id_duration")  # and a length (up to its longest song)

    page.select_option("#id_model", "chirp-v5")
    assert page.is_enabled("#id_vocal_gender") and not page.locator(".advanced-off").is_visible()
    page.check("input[name=mode][value=custom]")
    page.fill("#id_style", "city pop")
    page.fill("#id_lyric", "[Verse]\nla la la")
    page.select_option("#id_vocal_gender", "f")
    page.fill("#id_weirdness", "0")
    page.fill("#id_duration", "45")
    if page.locator("#id_is_pro").count():
        page.check("#id_is_pro")
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    params = Task.objects.get().params
    assert (params["vocal_gender"], params["weirdness"]) == ("f", 0.0)
    assert params["duration"] == 45
