"""Moving around the studio in a real browser: links swap the page, the bar's <audio> plays on."""

import re

import pytest
from django.core.files.base import ContentFile

from music.services import actions, playlists, sharing
from tests.factories import MembershipFactory, SongFactory
from tests.helpers import make_song, run_queued
from tests.mediafiles import mp3_frames

pytestmark = pytest.mark.django_db(transaction=True)

AUDIO = "#player-audio"
LYRIC = (
    "[Verse]\nMorning light is on the hill\nCoffee warm and the air is still\n"
    "[Chorus]\nWe sing along\nAll day long\n"
)


def wait_until(page, check):
    # (Not wait_for_function: the pages' CSP rightly forbids evaluating strings.)
    for _ in range(100):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def song_with_audio(team, title, seconds=40.0):
    song = SongFactory(team=team, title=title)
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(seconds)), save=True)
    return song


def audio(page):
    """What the bar's <audio> says of itself; `kept` is a mark put on the element itself, and
    `pauses`/`loads` count its pause and loadstart events since the mark was put."""
    return page.eval_on_selector(
        AUDIO,
        "a => ({time: a.currentTime, paused: a.paused, kept: a.studioMark || null,"
        " pauses: a.studioPauses || 0, loads: a.studioLoads || 0})",
    )


def play_first_card(page):
    page.click("[aria-label='Play “Night drive”']")
    page.eval_on_selector(AUDIO, "a => { a.muted = true; }")
    assert wait_until(page, lambda: audio(page)["time"] > 0.5)
    page.eval_on_selector(
        AUDIO,
        """a => {
          a.studioMark = 'the same element';
          a.addEventListener('pause', () => { a.studioPauses = (a.studioPauses || 0) + 1; });
          a.addEventListener('loadstart', () => { a.studioLoads = (a.studioLoads || 0) + 1; });
        }""",
    )
    # A full page load would lose this too.
    page.evaluate("() => { window.studioSameDocument = true; }")


def assert_still_playing(page, before):
    assert wait_until(page, lambda: audio(page)["time"] > before)
    state = audio(page)
    assert state["kept"] == "the same element"
    assert not state["paused"]
    assert state["pauses"] == 0
    assert state["loads"] == 0
    assert page.evaluate("() => window.studioSameDocument") is True
    return state["time"]


def test_the_bar_plays_on_across_three_pages_reached_by_links(page, screenshot):
    membership = MembershipFactory(role="member")
    song = song_with_audio(membership.team, "Night drive")
    sign_in(page, membership.user)
    play_first_card(page)
    time = audio(page)["time"]

    # The library -> the song's page (its card's title) -> Tasks -> Playlists (the menu).
    page.click(f"#song-{song.pk} .title a")
    page.wait_for_url(re.compile(rf"/songs/{song.pk}/$"))
    page.wait_for_selector("h1:has-text('Night drive')")
    assert page.title().startswith("Night drive")
    time = assert_still_playing(page, time)

    page.click("nav.mainnav a:has-text('Tasks')")
    page.wait_for_url(re.compile(r"/tasks/$"))
    assert page.get_attribute("nav.mainnav a:has-text('Tasks')", "aria-current") == "page"
    assert page.get_attribute("nav.mainnav a:has-text('Library')", "aria-current") is None
    time = assert_still_playing(page, time)

    page.click("nav.mainnav a:has-text('Library')")
    page.wait_for_url(re.compile(r"/$"))
    page.click(".page-head a:has-text('Playlists')")
    page.wait_for_url(re.compile(r"/playlists/$"))
    page.wait_for_selector("h1:has-text('Playlists')")
    time = assert_still_playing(page, time)
    assert page.inner_text("#player-bar .player-title") == "Night drive"
    screenshot(page, "navigation-playlists")

    # Back returns to the previous pages, forward comes again, and the bar still plays.
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector(f"#song-{song.pk}")
    assert page.get_attribute("nav.mainnav a:has-text('Library')", "aria-current") == "page"
    time = assert_still_playing(page, time)
    page.go_back()
    page.wait_for_url(re.compile(r"/tasks/$"))
    page.wait_for_selector("h1:has-text('Tasks')")
    assert page.get_attribute("nav.mainnav a:has-text('Tasks')", "aria-current") == "page"
    time = assert_still_playing(page, time)
    page.go_forward()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector(f"#song-{song.pk}")
    assert_still_playing(page, time)
    assert page.console_errors == []


def test_downloads_and_the_admin_are_not_boosted(page):
    membership = MembershipFactory(role="member", user__is_staff=True)
    song = song_with_audio(membership.team, "Night drive")
    sign_in(page, membership.user)
    # Posts stay plain (the picked songs' ZIP, signing out), on a page as it was first loaded.
    assert page.get_attribute("form#bulk", "hx-boost") == "false"
    assert page.get_attribute("form:has(button:has-text('Sign out'))", "hx-boost") == "false"
    play_first_card(page)
    page.click(f"#song-{song.pk} .title a")
    page.wait_for_selector("h1:has-text('Night drive')")
    download = page.locator("a:has-text('Download MP3')")
    # htmx processes a swapped page's links (navigation.js marks them) just after the swap.
    assert wait_until(page, lambda: download.get_attribute("hx-boost") == "false")
    assert page.get_attribute("nav.mainnav a:has-text('Admin')", "hx-boost") == "false"
    # Plain links and the player bar's title are boosted.
    assert page.get_attribute("nav.mainnav a:has-text('Tasks')", "hx-boost") is None

    page.evaluate(
        """() => { window.studioRequests = [];
          document.addEventListener('htmx:beforeRequest',
            (e) => window.studioRequests.push(e.detail.pathInfo.requestPath)); }"""
    )
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename.endswith(".mp3")
    assert page.evaluate("() => window.studioRequests") == []  # the browser fetched it itself
    # A download leaves the page and its music where they were.
    assert_still_playing(page, audio(page)["time"])


def test_an_error_page_reached_by_a_link_shows_and_the_bar_plays_on(page):
    membership = MembershipFactory(role="member")
    song_with_audio(membership.team, "Night drive")
    gone = song_with_audio(membership.team, "Deleted meanwhile")
    sign_in(page, membership.user)
    play_first_card(page)
    gone_id = gone.pk
    gone.delete()  # its card is still on the page

    page.click(f"#song-{gone_id} .title a")
    page.wait_for_url(re.compile(rf"/songs/{gone_id}/$"))
    page.wait_for_selector("h1:has-text('Page not found')")
    assert page.title().startswith("Page not found")
    assert_still_playing(page, audio(page)["time"])


def test_page_scripts_work_on_a_page_reached_by_a_link(page):
    membership = MembershipFactory(role="member")
    song_with_audio(membership.team, "Night drive")
    sign_in(page, membership.user)
    play_first_card(page)

    page.click("nav.mainnav a:has-text('Create')")
    page.wait_for_url(re.compile(r"/create/$"))
    # The mode picker shows one section, and counted fields count (studio.js, after a swap).
    page.check("input[name=mode][value=custom]")
    page.fill("#id_lyric", "Twelve words")
    page.wait_for_selector("#id_lyric + .counter:has-text('12')")
    assert page.locator("#id_lyric + .counter").count() == 1
    assert_still_playing(page, audio(page)["time"])
    assert page.console_errors == []


def test_the_lyric_editor_starts_when_reached_by_a_link_and_after_back(page, simulator):
    simulator.max_duration = 40  # every line gets sung
    membership = MembershipFactory(role="member")
    song = make_song(membership.team, membership.user, lyric=LYRIC, title="Hill song")
    actions.fetch_timing(membership, song)
    run_queued()
    sign_in(page, membership.user)
    page.click(f"#song-{song.pk} .title a")
    page.evaluate("() => { window.studioSameDocument = true; }")

    page.click("text=Edit section")
    page.wait_for_url(re.compile(r"/edit-section/$"))
    page.wait_for_selector("body[data-editor-ready='1']")
    page.click("#lines .line >> nth=2")
    assert page.input_value("#id_new_lines") == "We sing along"
    # Its waveform is drawn with this document's style nonce (a refused style is an error).
    assert page.console_errors == []

    page.go_back()
    page.wait_for_url(re.compile(rf"/songs/{song.pk}/$"))
    page.wait_for_selector("a:has-text('Edit section')")
    assert page.evaluate("() => document.body.dataset.editorReady") is None
    page.go_forward()
    page.wait_for_selector("body[data-editor-ready='1']")
    page.click("#lines .line >> nth=3")
    assert page.input_value("#id_new_lines") == "All day long"
    assert page.locator("#waveform").count() == 1
    assert page.evaluate("() => window.studioSameDocument") is True
    assert page.console_errors == []


def test_a_playlist_and_a_share_page_reached_by_links_keep_their_scripts(page):
    membership = MembershipFactory(role="member")
    songs = [song_with_audio(membership.team, title) for title in ("Uno", "Dos", "Night drive")]
    playlist = playlists.create(membership.team, membership.user, "Set list")
    playlists.add(playlist, songs, membership.user)
    sharing.create_link(songs[0], membership.user)
    sign_in(page, membership.user)
    play_first_card(page)

    page.click(".page-head a:has-text('Playlists')")
    page.click("a:has-text('Set list')")
    page.wait_for_url(re.compile(rf"/playlists/{playlist.pk}/$"))
    titles = lambda: page.locator("#playlist li > a").all_inner_texts()  # noqa: E731
    assert titles() == ["Uno", "Dos", "Night drive"]
    # Dragging (playlist.js, run again by the swap) posts the new order.
    with page.expect_response(lambda r: "/edit/" in r.url and r.status == 204):
        page.locator("#playlist li >> nth=2").drag_to(page.locator("#playlist li >> nth=0"))
    assert [item.song.title for item in playlist.items.order_by("position")] == [
        "Night drive",
        "Uno",
        "Dos",
    ]
    assert page.is_visible("text=Play all")  # revealed by player.js after the swap
    assert_still_playing(page, audio(page)["time"])

    page.click("#playlist a:has-text('Uno')")
    page.wait_for_url(re.compile(rf"/songs/{songs[0].pk}/$"))
    page.click(".downloads a:has-text('Share')")
    page.wait_for_url(re.compile(rf"/songs/{songs[0].pk}/share/$"))
    assert page.is_visible(".js-copy")  # share.js ran on the swapped page
    assert_still_playing(page, audio(page)["time"])
    assert page.console_errors == []
