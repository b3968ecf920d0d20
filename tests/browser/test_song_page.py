"""The song page in a real browser: its waveform and karaoke lines follow the player bar."""

import re

import pytest

from music.services import actions, karaoke
from music.services.naming import full_title
from tests.factories import MembershipFactory
from tests.helpers import make_song, run_queued

LYRIC = (
    "[Verse]\nMorning light is on the hill\nCoffee warm and the air is still\n"
    "[Chorus]\nWe sing along\nAll day long\n[Verse 2]\nEvening falls the stars come out\n"
    "This is what it is all about"
)

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(page, check):
    # (Not wait_for_function: the pages' CSP rightly forbids evaluating strings.)
    for _ in range(150):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


def bar(page, script):
    return page.eval_on_selector("#player-audio", script)


def lit(page):
    """Indexes of the lit karaoke lines, and of those marked aria-current."""
    return page.eval_on_selector_all(
        ".karaoke-line",
        "bs => [bs.flatMap((b, i) => b.classList.contains('sung') ? [i] : []),"
        " bs.flatMap((b, i) => b.getAttribute('aria-current') === 'true' ? [i] : [])]",
    )


@pytest.fixture
def studio(simulator):
    simulator.max_duration = 40  # every line gets sung
    membership = MembershipFactory(role="viewer")  # listening is for everyone in the team
    song = make_song(membership.team, membership.user, lyric=LYRIC, title="Hill song")
    actions.fetch_timing(MembershipFactory(team=membership.team, role="member"), song)
    run_queued()
    song.refresh_from_db()
    return membership.user, song


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_the_karaoke_line_follows_the_bar_and_a_line_plays_from_there(page, studio, screenshot):
    user, song = studio
    lines = karaoke.page_data(song)["lines"]
    assert len(lines) >= 4
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/")

    # The waveform is drawn (from the timing's peaks) and replaces the page's own player.
    page.wait_for_selector(".song-wave[data-ready='1']")
    width = page.eval_on_selector(
        ".song-wave",
        "w => Math.max(0, ...[...w.firstElementChild.shadowRoot.querySelectorAll('canvas')]"
        ".map(c => c.getBoundingClientRect().width))",
    )
    assert width > 100
    assert page.is_hidden("#song-hero audio.player")
    assert page.is_hidden("#lyrics pre.lyrics")
    assert page.inner_text(".karaoke-line >> nth=0") == lines[0]["text"]
    assert lit(page) == [[], []]  # the bar plays nothing yet

    # A line plays this song in the bar from that line (the bar was empty).
    page.click(".karaoke-line >> nth=1")
    bar(page, "a => { a.muted = true; }")
    assert page.inner_text("#player-bar .player-title") == full_title(song)
    assert wait_until(page, lambda: bar(page, "a => !a.paused && a.currentTime > 0"))
    assert bar(page, "a => a.currentTime") >= lines[1]["start"] - 0.3
    assert wait_until(page, lambda: 1 in lit(page)[0])

    # Seeking the bar to each line's start lights that line, and only it.
    bar(page, "a => a.pause()")
    for i, line in enumerate(lines):
        bar(page, f"a => {{ a.currentTime = {line['start']}; }}")
        assert wait_until(page, lambda i=i: lit(page) == [[i], [i]]), (i, lit(page))
    screenshot(page, "song-page-karaoke")

    # Clicking a line seeks the bar there (±0.3 s) and plays.
    bar(
        page,
        "a => { window.seeks = []; a.addEventListener('seeked', () => seeks.push(a.currentTime)) }",
    )
    target = lines[2]["start"]
    page.click(".karaoke-line >> nth=2")
    assert wait_until(page, lambda: page.evaluate("() => window.seeks.length") > 0)
    assert abs(page.evaluate("() => window.seeks[window.seeks.length - 1]") - target) <= 0.3
    assert wait_until(page, lambda: bar(page, f"a => !a.paused && a.currentTime > {target}"))

    # The keyboard does the same: Enter on a focused line.
    bar(page, "a => { a.pause(); a.currentTime = 0; }")
    page.focus(".karaoke-line >> nth=3")
    page.keyboard.press("Enter")
    at = lines[3]["start"] - 0.3
    assert wait_until(page, lambda: bar(page, f"a => !a.paused && a.currentTime >= {at}"))
    assert wait_until(page, lambda: 3 in lit(page)[0])

    # The waveform's progress follows the bar: its played part grows with the bar's time.
    progress = (
        "w => w.firstElementChild.shadowRoot.querySelector('[part~=progress]')"
        ".getBoundingClientRect().width"
    )
    bar(page, "a => { a.pause(); a.currentTime = 1; }")
    assert wait_until(page, lambda: page.eval_on_selector(".song-wave", progress) < 30)
    early = page.eval_on_selector(".song-wave", progress)
    bar(page, f"a => {{ a.currentTime = {lines[-1]['start']}; }}")
    assert wait_until(page, lambda: page.eval_on_selector(".song-wave", progress) > early + 50)

    # A phone in the dark theme: the waveform fits and the page does not scroll sideways.
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 844})
    assert wait_until(
        page, lambda: page.evaluate("() => document.documentElement.scrollWidth") <= 390
    )
    assert 0 < page.eval_on_selector(".song-wave", "w => w.getBoundingClientRect().width") <= 390
    screenshot(page, "song-page-karaoke-phone")
    assert page.console_errors == []


def test_clicking_the_waveform_takes_the_bar_from_another_song(page, studio):
    user, song = studio
    other = make_song(song.team, song.author)  # no timing: its waveform comes from its audio
    sign_in(page, user)
    page.goto(f"/songs/{other.pk}/")
    page.wait_for_selector(".song-wave[data-ready='1']")
    assert page.query_selector("#karaoke") is None
    page.click("#song-hero [data-player-src]:not([data-player-add])")  # Play in the bar
    bar(page, "a => { a.muted = true; }")
    assert wait_until(page, lambda: bar(page, "a => !a.paused && a.currentTime > 0.3"))

    page.goto(f"/songs/{song.pk}/")
    page.wait_for_selector(".song-wave[data-ready='1']")
    bar(page, "a => { a.muted = true; }")
    assert page.inner_text("#player-bar .player-title") == full_title(other)
    assert lit(page) == [[], []]  # another song plays: nothing of this one is lit

    # Three quarters along the waveform: the bar now plays this song from there.
    box = page.locator(".song-wave").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    title = full_title(song)  # the take's letter too, as the page says it
    assert wait_until(page, lambda: page.inner_text("#player-bar .player-title") == title)
    expected = 0.75 * song.duration
    assert wait_until(
        page,
        lambda: abs(bar(page, "a => a.currentTime") - expected) < 2 and bar(page, "a => !a.paused"),
    )
    assert page.console_errors == []


def test_the_page_swapped_by_htmx_navigation_sets_up_again_and_the_bar_plays_on(page, studio):
    """Navigation that swaps only <main> (the bar stays): the waveform goes and comes back."""
    user, song = studio
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/")
    page.wait_for_selector(".song-wave[data-ready='1']")
    page.click(".karaoke-line >> nth=0")
    bar(page, "a => { a.muted = true; a.marker = 'same element'; }")
    assert wait_until(page, lambda: bar(page, "a => !a.paused && a.currentTime > 0"))

    def swap_to(url):
        # What a boosted link does, without the nav helper's wiring: fetch, swap <main>.
        swap = "{target: '#main', select: '#main > *', swap: 'innerHTML'}"
        page.evaluate(f"url => htmx.ajax('GET', url, {swap})", url)

    swap_to("/tasks/")
    assert wait_until(page, lambda: page.query_selector(".song-wave") is None)
    before = bar(page, "a => a.currentTime")
    swap_to(f"/songs/{song.pk}/")
    page.wait_for_selector(".song-wave[data-ready='1']")
    assert page.eval_on_selector_all(".song-wave > div", "hosts => hosts.length") == 1
    assert wait_until(page, lambda: bar(page, f"a => !a.paused && a.currentTime > {before}"))
    assert bar(page, "a => a.marker") == "same element"
    # The new page follows the bar too.
    third = karaoke.page_data(song)["lines"][2]["start"]
    bar(page, f"a => {{ a.currentTime = {third}; }}")
    assert wait_until(page, lambda: lit(page) == [[2], [2]])
    assert page.console_errors == []
