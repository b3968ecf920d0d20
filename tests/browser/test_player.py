"""The player bar in a real browser: play from a card, keep going across pages, keys."""

import re

import pytest
from django.core.files.base import ContentFile

from tests.factories import MembershipFactory, SongFactory
from tests.mediafiles import mp3_frames

pytestmark = pytest.mark.django_db(transaction=True)


def current_time(page):
    return page.eval_on_selector("#player-audio", "a => a.currentTime")


def wait_until(page, check):
    # (Not wait_for_function: the pages' CSP rightly forbids evaluating strings.)
    for _ in range(100):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


def test_play_a_card_and_keep_playing_across_pages(page):
    membership = MembershipFactory(role="viewer")  # listening is for everyone in the team
    for title in ("Second take", "First take"):
        song = SongFactory(team=membership.team, title=title)
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(8.0)), save=True)
    page.goto("/accounts/login/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert page.is_hidden("#player-bar")

    page.click("[aria-label='Play “First take”']")
    page.eval_on_selector("#player-audio", "a => { a.muted = true; }")
    assert page.inner_text("#player-bar .player-title") == "First take"
    assert wait_until(page, lambda: current_time(page) > 1.0)

    # Three page changes later the bar still plays the song, from where it was.
    for url in ("/tasks/", "/playlists/", "/trash/"):
        before = current_time(page)
        page.goto(url)
        page.eval_on_selector("#player-audio", "a => { a.muted = true; }")
        assert page.inner_text("#player-bar .player-title") == "First take"
        assert wait_until(page, lambda b=before: current_time(page) > b)

    page.keyboard.press("Space")  # pause
    assert wait_until(page, lambda: page.eval_on_selector("#player-audio", "a => a.paused"))
    page.keyboard.press("n")  # the library's queue: the next card
    assert wait_until(page, lambda: page.inner_text("#player-bar .player-title") == "Second take")
    page.keyboard.press("p")
    assert wait_until(page, lambda: page.inner_text("#player-bar .player-title") == "First take")
    assert page.console_errors == []


def test_play_the_family_tree_and_put_a_song_next_in_the_queue(page):
    membership = MembershipFactory()
    team = membership.team
    root = SongFactory(team=team, title="Root song")
    grown = SongFactory(team=team, title="Grown song", parent=root, root=root, relation="extended")
    other = SongFactory(team=team, title="Another song")
    for song in (root, grown, other):
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(8.0)), save=True)
    page.goto("/accounts/login/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    # The family tree plays as a queue, from the song clicked.
    page.goto(f"/songs/{grown.pk}/")
    page.click("#lineage [data-player-queue=family] >> nth=0")
    page.eval_on_selector("#player-audio", "a => { a.muted = true; }")
    first = page.inner_text("#player-bar .player-title")
    assert first.startswith("Root song")
    assert page.inner_text("#player-bar [data-player=queue]") == "1 of 2"

    # "Play next" on another song's page puts it right after the one playing.
    page.goto(f"/songs/{other.pk}/")
    page.click("#song-hero [data-player-add=next]")
    assert wait_until(page, lambda: page.inner_text("#player-bar [data-player=queue]") == "1 of 3")
    page.keyboard.press("n")
    assert wait_until(
        page, lambda: page.inner_text("#player-bar .player-title").startswith("Another song")
    )
    page.keyboard.press("n")
    assert wait_until(
        page, lambda: page.inner_text("#player-bar .player-title").startswith("Grown song")
    )
    assert page.console_errors == []
