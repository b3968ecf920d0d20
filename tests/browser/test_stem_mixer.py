"""The song page's stem mixer in a real browser: one transport plays every stem, Solo and
Mute change what is heard while they play, by keyboard too, and a phone scrolls no sideways."""

import re

import pytest

from music.services import stems
from tests.factories import MembershipFactory
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(page, check):
    for _ in range(150):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


@pytest.fixture
def studio(simulator):
    simulator.max_duration = 8
    membership = MembershipFactory(role="viewer")  # listening is for everyone in the team
    song = make_song(membership.team, membership.user, lyric=LYRIC, style="pop piano strings")
    stems.all_stems(MembershipFactory(team=membership.team, role="member"), song)
    run_queued()
    return membership.user, song


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def muted(page):
    return page.eval_on_selector_all("[data-mixer-audio]", "els => els.map((e) => e.muted)")


def heard(page):
    return page.eval_on_selector_all("[data-mixer-row]", "rows => rows.map((r) => r.dataset.heard)")


def test_solo_mutes_the_others_and_mute_toggles_while_playing(page, studio):
    user, song = studio
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/")
    assert page.locator("[data-mixer-row]").count() == 12
    play = page.locator("[data-mixer-play]")
    assert play.is_visible()
    assert muted(page) == [False] * 12
    play.click()
    assert wait_until(
        page,
        lambda: page.eval_on_selector_all(
            "[data-mixer-audio]", "els => els.every((e) => !e.paused)"
        ),
    )
    # Solo the drums (third row): every other stem is muted, live.
    page.locator("[data-mixer-solo]").nth(2).click()
    assert muted(page) == [i != 2 for i in range(12)]
    assert heard(page)[2] == "true" and heard(page)[0] == "false"
    # Soloing the vocals as well: both heard.
    page.locator("[data-mixer-solo]").nth(0).click()
    assert muted(page) == [i not in (0, 2) for i in range(12)]
    # Mute beats solo; un-muting gives it back.
    mute_vocals = page.locator("[data-mixer-mute]").nth(0)
    mute_vocals.click()
    assert mute_vocals.get_attribute("aria-pressed") == "true"
    assert muted(page) == [i != 2 for i in range(12)]
    mute_vocals.click()
    assert muted(page) == [i not in (0, 2) for i in range(12)]
    # The stems play from one transport: they keep together.
    times = page.eval_on_selector_all("[data-mixer-audio]", "els => els.map((e) => e.currentTime)")
    assert max(times) - min(times) < 0.5
    play.click()
    assert wait_until(
        page,
        lambda: page.eval_on_selector_all(
            "[data-mixer-audio]", "els => els.every((e) => e.paused)"
        ),
    )
    assert not page.console_errors


def test_the_mixer_is_reached_by_keyboard(page, studio):
    user, song = studio
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/")
    solo = page.locator("[data-mixer-solo]").nth(3)
    solo.focus()
    assert page.evaluate("() => document.activeElement.dataset.mixerSolo !== undefined")
    page.keyboard.press("Enter")
    assert solo.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Tab")  # on to the same row's Mute
    page.keyboard.press("Space")
    assert page.locator("[data-mixer-mute]").nth(3).get_attribute("aria-pressed") == "true"
    assert muted(page) == [True] * 12  # the only soloed stem is muted


def test_the_mixer_fits_a_phone(browser, live_server, studio):
    user, song = studio
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, user)
        page.goto(f"/songs/{song.pk}/")
        page.locator("#stem-mixer").scroll_into_view_if_needed()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        box = page.locator("[data-mixer-solo]").first.bounding_box()
        assert box and box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_without_script_the_stems_are_plain_players_and_links(browser, live_server, studio):
    user, song = studio
    signed = browser.new_context(base_url=live_server.url)
    sign_in(signed.new_page(), user)
    state = signed.storage_state()
    signed.close()
    context = browser.new_context(
        java_script_enabled=False, base_url=live_server.url, storage_state=state
    )
    page = context.new_page()
    try:
        page.goto(f"/songs/{song.pk}/")
        assert page.locator("[data-mixer-audio][controls]").count() == 12
        assert page.locator("[data-mixer-solo]:visible").count() == 0
        assert page.locator("#stem-mixer a[download]").count() == 13  # each, and the ZIP
    finally:
        context.close()
