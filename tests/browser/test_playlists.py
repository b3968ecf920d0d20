"""A playlist in a real browser: dragged into a new order that stays, played in that order in
the player bar."""

import re

import pytest
from django.core.files.base import ContentFile

from music.services import playlists
from tests.factories import MembershipFactory, SongFactory
from tests.mediafiles import mp3_frames

pytestmark = pytest.mark.django_db(transaction=True)


def test_drag_to_reorder_then_play_all_in_order(page):
    membership = MembershipFactory(role="member")
    songs = []
    for title in ("Uno", "Dos", "Tres"):
        song = SongFactory(team=membership.team, title=title, duration=1)
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(1.0)), save=True)
        songs.append(song)
    playlist = playlists.create(membership.team, membership.user, "Set list")
    playlists.add(playlist, songs, membership.user)
    page.goto("/accounts/login/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/playlists/{playlist.pk}/")
    titles = lambda: page.locator("#playlist li > a").all_inner_texts()  # noqa: E731
    assert titles() == ["Uno", "Dos", "Tres"]
    with page.expect_response(lambda r: "/edit/" in r.url and r.status == 204):
        page.locator("#playlist li >> nth=2").drag_to(page.locator("#playlist li >> nth=0"))
    page.reload()
    assert titles() == ["Tres", "Uno", "Dos"]

    page.click("text=Play all")  # in the player bar, in the playlist's order
    page.wait_for_selector("#player-bar .player-title:text-is('Tres')")
    # The first song ends: the next one plays (once its length is known: a bounded wait,
    # since the page's CSP forbids wait_for_function's evaluated strings).
    for _ in range(100):
        if page.eval_on_selector("#player-audio", "a => isFinite(a.duration) && a.duration > 0"):
            break
        page.wait_for_timeout(100)
    page.eval_on_selector(
        "#player-audio", "a => { a.muted = true; a.currentTime = a.duration - 0.05; }"
    )
    page.wait_for_selector("#player-bar .player-title:text-is('Uno')")
    assert page.console_errors == []
