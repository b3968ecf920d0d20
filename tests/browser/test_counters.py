"""The create form's counters in a real browser: the number shown is the server's count,
for text with line breaks (sent as CRLF), Chinese and emoji, and shows the model's limit."""

import re

import pytest

from music.models import Task
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Each line: 10 Chinese characters, 2 emoji (one astral, one with a variation selector),
# Latin words; the lines are joined by breaks the browser sends as CRLF.
LINE = "雨夜的城市灯光闪烁着 🌧☀️ neon rain"


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def counter_of(page, field):
    return page.inner_text(f"{field} + .counter")


def fill_lyrics(page, lines):
    page.goto("/create/")
    page.check("input[name=mode][value=custom]")
    page.fill("#id_style", "city pop")
    page.fill("#id_lyric", "\n".join([LINE] * lines))


def test_the_counter_shows_the_servers_count_and_the_models_limit(page):
    sign_in(page, MembershipFactory(role="member").user)
    fill_lyrics(page, 130)  # over v4's 3000
    shown = counter_of(page, "#id_lyric")
    n, limit = (int(x) for x in re.fullmatch(r"(\d+) / (\d+)", shown).groups())
    assert limit == 3000
    assert n == len("\n".join([LINE] * 130)) > limit  # code points, one per break
    page.click("button.primary[type=submit]")
    errors = page.locator("#lyrics-field .error").all_inner_texts()
    # The server counts what the counter showed, and says one thing about it.
    assert errors == [f"This is {n} characters; v4 allows at most 3000."]

    page.select_option("#id_model", "chirp-v4-5")  # the limit follows the model
    assert counter_of(page, "#id_lyric") == f"{n} / 5000"


def test_lyrics_the_counter_allows_are_taken_as_counted(page):
    sign_in(page, MembershipFactory(role="member").user)
    fill_lyrics(page, 80)
    n = int(counter_of(page, "#id_lyric").split(" / ")[0])
    assert n <= 3000
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert len(Task.objects.get().params["lyric"]) == n  # no CR, nothing counted twice
