"""A share link in a real browser: made on the song's page, opened by a stranger, it plays."""

import re

import pytest

from tests.factories import MembershipFactory
from tests.helpers import make_song

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_a_stranger_opens_the_link_and_hears_the_song(page, browser, live_server, simulator):
    membership = MembershipFactory(role="member")
    song = make_song(membership.team, membership.user, title="Harbour Lights")
    sign_in(page, membership.user)
    page.goto(f"/songs/{song.pk}/")
    page.click("text=Share")
    page.select_option("#id_expires", "7")
    page.click("text=Make a link")
    url = page.input_value(".share-url")
    assert re.search(r"/s/[\w-]{32}/$", url)
    assert page.is_visible(".js-copy")  # the clipboard works on this page

    stranger = browser.new_context(base_url=live_server.url)
    shared = stranger.new_page()
    errors = []
    shared.on("pageerror", lambda error: errors.append(str(error)))
    shared.goto(url)
    assert shared.inner_text("h1") == str(song)
    # Nothing leads into the studio: the only links are the song's own files.
    hrefs = shared.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert hrefs == []
    shared.eval_on_selector("audio", "audio => { audio.muted = true; return audio.play(); }")
    # (Not wait_for_function: the page's CSP rightly forbids evaluating strings.)
    for _ in range(100):
        if shared.eval_on_selector("audio", "audio => audio.currentTime") > 0.2:
            break
        shared.wait_for_timeout(100)
    assert shared.eval_on_selector("audio", "audio => audio.currentTime") > 0.2
    assert errors == []
    stranger.close()

    page.click("text=Turn off")
    gone = browser.new_context(base_url=live_server.url).new_page()
    assert gone.goto(url).status == 404
