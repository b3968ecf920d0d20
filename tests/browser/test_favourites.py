"""The library card's star in a real browser: htmx posts it, the star stays after a reload."""

import re

import pytest

from tests.factories import MembershipFactory, SongFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_star_a_card_and_filter_by_favourites(page):
    membership = MembershipFactory(role="viewer")  # viewers may star too
    SongFactory(team=membership.team, title="Morning Tide")
    SongFactory(team=membership.team, title="Evening Tide")
    page.goto("/accounts/login/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    star = page.locator(
        "#song-" + str(membership.team.songs.get(title="Morning Tide").pk) + " .fav"
    )
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    page.wait_for_selector(".song-card .fav[aria-pressed=true]")
    page.reload()
    assert page.locator(".fav[aria-pressed=true]").count() == 1
    page.check("#id_fav")
    page.wait_for_selector("text=Evening Tide", state="detached")
    assert page.locator(".song-card .title").all_inner_texts() == ["Morning Tide"]
    assert page.console_errors == []
