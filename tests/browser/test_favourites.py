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


def test_pick_two_cards_and_download_them_as_one_zip(page, tmp_path):
    import zipfile

    from django.core.files.base import ContentFile

    from tests.mediafiles import mp3_frames

    membership = MembershipFactory(role="member")
    for title in ("North Star", "South Wind", "East Gate"):
        song = SongFactory(team=membership.team, title=title)
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
    page.goto("/accounts/login/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.check("[aria-label='Pick “North Star”']")
    page.check("[aria-label='Pick “East Gate”']")
    with page.expect_download() as download:
        page.click("text=Download ZIP")
    path = tmp_path / "songs.zip"
    download.value.save_as(path)
    assert sorted(zipfile.ZipFile(path).namelist()) == ["east-gate.mp3", "north-star.mp3"]
