"""The studio on a phone (360 and 390 px wide) and its themes, in a real browser."""

import re

import pytest

from music.models import Persona, ProviderAccount, Task
from music.services import actions
from tests.factories import MembershipFactory
from tests.helpers import make_song, run_queued

LYRIC = (
    "[Verse]\nMorning light is on the hill and the coffee is warm on the table\n"
    "Coffee warm and the air is still\n[Chorus]\nWe sing along\nAll day long"
)

pytestmark = pytest.mark.django_db(transaction=True)

# What the page measures; page.evaluate goes through the debugger, not the page's eval (CSP).
MEASURE = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  // Public share pages have no studio header (0 here).
  header: document.querySelector('header.topbar')?.getBoundingClientRect().height ?? 0,
  wider: [...document.querySelectorAll('body *')].filter(el =>
    el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.checkVisibility()
  ).slice(0, 5).map(el => el.tagName + '.' + el.className),
})"""


@pytest.fixture
def studio(simulator):
    """An owner's team with one of everything a member can open."""
    simulator.max_duration = 40
    membership = MembershipFactory(role="owner", team__name="The Long-Named Rehearsal Band")
    song = make_song(
        membership.team,
        membership.user,
        is_pro=True,
        lyric=LYRIC,
        title="A rather long song title that has to wrap on a phone",
    )
    actions.fetch_timing(membership, song)
    run_queued()
    actions.make_persona(membership, song, name="Warm voice", description="warm and low")
    run_queued()
    account = ProviderAccount.objects.create(
        team=membership.team,
        name="Relay seller with a long name",
        format="relay",
        base_url="http://simulator.local/a/rather/long/path/to/the/gateway/v1",
        is_default=True,
    )
    from music.services import playlists, sharing

    playlist = playlists.create(membership.team, membership.user, "A playlist for the road")
    playlists.add(playlist, [song], membership.user)
    return {
        "user": membership.user,
        "song": song,
        "playlist": playlist,
        "song_link": sharing.create_link(song, membership.user),
        "playlist_link": sharing.create_link(playlist, membership.user),
        "task": Task.objects.order_by("created_at").first(),
        "persona": Persona.objects.get(),
        "account": account,
    }


def phone(browser, live_server, width, **options):
    context = browser.new_context(
        viewport={"width": width, "height": 780}, base_url=live_server.url, **options
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("form[action='/accounts/login/'] button")
    page.wait_for_url(re.compile(r"/$"))


def member_pages(studio):
    song, persona, account = studio["song"], studio["persona"], studio["account"]
    return [
        "/",
        f"/songs/{song.pk}/",
        "/create/",
        "/create/mashup/",
        "/create/inspo/",
        "/upload/",
        "/tasks/",
        f"/tasks/{studio['task'].pk}/",
        f"/songs/{song.pk}/edit-section/",
        f"/songs/{song.pk}/extend/",
        f"/songs/{song.pk}/cover-version/",
        f"/songs/{song.pk}/add-instrumental/",
        f"/songs/{song.pk}/add-vocals/",
        f"/songs/{song.pk}/persona/",
        f"/songs/{song.pk}/persona-v2/",
        "/personas/",
        "/personas/voice/",
        f"/personas/{persona.pk}/sing/",
        "/team/",
        "/providers/",
        "/providers/new/",
        f"/providers/{account.pk}/",
        f"/songs/{song.pk}/share/",
        f"/songs/{song.pk}/edit/",
        f"/songs/{song.pk}/history/",
        f"/playlists/add/?song={song.pk}",
        "/playlists/",
        f"/playlists/{studio['playlist'].pk}/",
        f"/playlists/{studio['playlist'].pk}/share/",
        f"/playlists/{studio['playlist'].pk}/delete/",
        "/trash/",
        f"/s/{studio['song_link'].token}/",
        f"/s/{studio['playlist_link'].token}/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("width", [390, 360])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, studio, width, screenshot):
    page = phone(browser, live_server, width)
    page.goto("/accounts/login/")
    seen = {"/accounts/login/": page.evaluate(MEASURE)}
    sign_in(page, studio["user"])
    for url in member_pages(studio):
        page.goto(url)
        seen[url] = page.evaluate(MEASURE)
        if url == "/create/":
            page.check("input[name=mode][value=custom]")  # the longer of the two forms
            seen["/create/ (custom)"] = page.evaluate(MEASURE)
    screenshot(page, f"phone-{width}-404")
    page.goto("/tasks/")
    screenshot(page, f"phone-{width}-tasks")
    wide = {url: m for url, m in seen.items() if m["scrollWidth"] > m["innerWidth"]}
    assert wide == {}
    # The header is one compact row (it took 215 px before the menu folded).
    assert {url: m["header"] for url, m in seen.items() if m["header"] > 72} == {}
    assert page.console_errors == []


def test_the_tasks_table_becomes_rows_that_fit(browser, live_server, studio):
    page = phone(browser, live_server, 390)
    sign_in(page, studio["user"])
    page.goto("/tasks/")
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == Task.objects.count()
    for i in range(rows.count()):
        box = rows.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Every cell of a row is inside it: nothing is cut off at the right.
    cells = page.locator("table.tasks tbody tr >> nth=0 >> td")
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        if box and box["width"]:
            assert box["x"] + box["width"] <= 390


def test_the_menu_folds_and_opens_with_finger_sized_links(browser, live_server, studio):
    page = phone(browser, live_server, 390)
    sign_in(page, studio["user"])
    assert not page.is_visible("nav.mainnav a[href='/tasks/']")
    page.click("summary.menu-toggle")
    links = page.locator("nav.mainnav a")
    assert links.count() >= 7
    for i in range(links.count()):
        assert links.nth(i).is_visible()
        assert links.nth(i).bounding_box()["height"] >= 44
    for control in ("summary.menu-toggle", "#language", ".theme-choice >> nth=0"):
        assert page.locator(control).bounding_box()["height"] >= 44
    # The open menu lies over the page; it still fits the screen.
    assert page.evaluate(MEASURE)["scrollWidth"] <= 390
    page.keyboard.press("Escape")
    assert not page.is_visible("nav.mainnav a[href='/tasks/']")
    page.click("summary.menu-toggle")
    page.click("nav.mainnav a[href='/tasks/']")
    page.wait_for_url("**/tasks/")
    assert page.console_errors == []


def test_the_menu_works_without_javascript(browser, live_server, studio):
    page = phone(browser, live_server, 390, java_script_enabled=False)
    sign_in(page, studio["user"])
    assert not page.is_visible("nav.mainnav a[href='/personas/']")
    page.click("summary.menu-toggle")
    page.click("nav.mainnav a[href='/personas/']")
    page.wait_for_url("**/personas/")


def test_wide_screens_keep_the_open_header(browser, live_server, studio):
    page = phone(browser, live_server, 1366)
    sign_in(page, studio["user"])
    assert not page.is_visible("summary.menu-toggle")
    assert page.is_visible("nav.mainnav a[href='/tasks/']")
    assert page.is_visible("#theme-form")
    measure = page.evaluate(MEASURE)
    assert measure["header"] <= 72 and measure["scrollWidth"] <= 1366


def background(page):
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor")


DARK = "rgb(15, 17, 21)"
LIGHT = "rgb(245, 246, 248)"


@pytest.mark.parametrize("scheme, expected", [("dark", DARK), ("light", LIGHT)])
def test_system_theme_follows_the_device(browser, live_server, studio, scheme, expected):
    page = phone(browser, live_server, 390, color_scheme=scheme)
    page.goto("/accounts/login/")
    assert background(page) == expected
    page.emulate_media(color_scheme="light" if scheme == "dark" else "dark")
    assert background(page) == (LIGHT if scheme == "dark" else DARK)


def test_the_chosen_theme_is_kept_across_reloads_and_pages(browser, live_server, studio):
    page = phone(browser, live_server, 1366, color_scheme="dark")
    sign_in(page, studio["user"])
    assert background(page) == DARK
    page.click(".theme-choice[value=light]")
    assert background(page) == LIGHT  # at once, without a reload
    assert page.get_attribute(".theme-choice[value=light]", "aria-pressed") == "true"
    page.reload()
    assert background(page) == LIGHT
    assert page.get_attribute("html", "data-theme") == "light"  # from the server: no flash
    page.goto("/tasks/")
    assert background(page) == LIGHT
    page.click(".theme-choice[value=system]")
    page.reload()
    assert background(page) == DARK  # the device says dark
    page.emulate_media(color_scheme="light")
    assert background(page) == LIGHT
    # The editor's waveform takes the new colours in place too.
    page.goto(f"/songs/{studio['song'].pk}/edit-section/")
    page.wait_for_selector("body[data-editor-ready='1']")
    page.click(".theme-choice[value=dark]")
    assert background(page) == DARK
    assert page.console_errors == []


def test_the_theme_picker_works_without_javascript(browser, live_server, studio):
    page = phone(browser, live_server, 1366, color_scheme="light", java_script_enabled=False)
    sign_in(page, studio["user"])
    page.goto("/tasks/")
    page.click(".theme-choice[value=dark]")
    page.wait_for_url("**/tasks/")
    assert background(page) == DARK


def test_login_page_on_a_phone_shows_the_demo_login_in_demo_mode(
    browser, live_server, settings, db
):
    from music.services.teams import ensure_demo

    ensure_demo()
    settings.STUDIO_DEMO = True
    page = phone(browser, live_server, 360)
    page.goto("/accounts/login/")
    hint = page.inner_text(".demo-hint")
    assert "demo" in hint and "demo-studio" in hint
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo-studio")
    page.click("form[action='/accounts/login/'] button")
    page.wait_for_url(re.compile(r"/$"))
    assert page.evaluate(MEASURE)["scrollWidth"] <= 360
