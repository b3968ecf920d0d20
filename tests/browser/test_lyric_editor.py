"""The lyric editor in a real browser: select lines, rewrite, replace, join."""

import re

import pytest

from music.models import Relation, Song
from music.services import actions
from tests.factories import MembershipFactory
from tests.helpers import finish_all_tasks, make_song, run_queued

LYRIC = (
    "[Verse]\nMorning light is on the hill\nCoffee warm and the air is still\n"
    "[Chorus]\nWe sing along\nAll day long\n[Verse 2]\nEvening falls the stars come out\n"
    "This is what it is all about"
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def studio(simulator):
    simulator.max_duration = 40  # every line gets sung
    membership = MembershipFactory(role="member")
    song = make_song(membership.team, membership.user, lyric=LYRIC, title="Hill song")
    actions.fetch_timing(membership, song)
    run_queued()
    return membership.user, song


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_replace_two_lines_then_get_the_whole_song(page, studio, screenshot):
    user, song = studio
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/")
    page.click("text=Edit section")
    page.wait_for_selector("body[data-editor-ready='1']")

    lines = song.timing.words
    page.click("#lines .line >> nth=2")
    page.click("#lines .line >> nth=3", modifiers=["Shift"])
    # The times shown come from the alignment of the two chosen lines.
    assert float(page.input_value("#id_start")) == pytest.approx(lines[2]["start"], abs=0.01)
    assert float(page.input_value("#id_end")) == pytest.approx(lines[3]["end"], abs=0.01)
    assert page.input_value("#id_new_lines") == "We sing along\nAll day long"
    assert page.get_attribute("#lines .line >> nth=2", "aria-pressed") == "true"

    page.fill("#id_new_lines", "We dance along\nAll night long")
    page.wait_for_selector("#request-preview:has-text('All night long')")
    preview = page.inner_text("#request-preview")
    assert '"action": "replace_section"' in preview
    screenshot(page, "lyric-editor")

    page.click("text=Replace this section")
    page.wait_for_url(f"**/songs/{song.pk}/")
    finish_all_tasks()  # the provider finishes; the page notices by itself
    page.wait_for_selector("#lineage .rel-replaced")
    fragment = Song.objects.filter(relation=Relation.REPLACED).order_by("created_at").first()

    page.click(f"#lineage a[href='/songs/{fragment.pk}/']")
    # (Links swap the page in place: wait for this one, not for the one still showing.)
    page.wait_for_url(f"**/songs/{fragment.pk}/")
    page.click("text=Get whole song")
    finish_all_tasks()
    page.wait_for_selector("#lineage .rel-concatenated")
    whole = Song.objects.get(relation=Relation.CONCATENATED)
    page.click(f"#lineage a[href='/songs/{whole.pk}/']")
    page.wait_for_url(f"**/songs/{whole.pk}/")
    page.wait_for_selector(".song-wave[data-ready='1']")  # its waveform, played by the bar
    assert "This whole song joins, in order:" in page.content()
    assert abs(whole.duration - song.duration) < 1.5
    assert page.console_errors == []


def test_the_editor_works_from_the_keyboard(page, studio):
    user, song = studio
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/edit-section/")
    page.wait_for_selector("body[data-editor-ready='1']")
    page.focus("#lines .line >> nth=0")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+ArrowDown")
    assert page.get_attribute("#lines .line >> nth=1", "aria-pressed") == "true"
    assert page.input_value("#id_last") == "1"
    page.keyboard.press("p")  # play
    # (Not wait_for_function: the page's CSP rightly forbids evaluating strings.)
    page.wait_for_selector("#play:text-is('Pause')")
    assert page.console_errors == []


def test_the_editor_speaks_chinese_from_the_javascript_catalogue(page, studio, live_server):
    """Pause and the seconds come from /jsi18n/ (djangojs.po), not from the script."""
    user, song = studio
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    sign_in(page, user)
    page.goto(f"/songs/{song.pk}/edit-section/")
    page.wait_for_selector("body[data-editor-ready='1']")
    assert page.inner_text("h1").startswith("编辑片段：")
    page.click("#lines .line >> nth=0")
    clock = page.inner_text("#clock")
    assert re.fullmatch(r"\d+:\d\d\.\d – \d+:\d\d\.\d（\d+\.\d 秒）", clock), clock
    page.click("#play")
    page.wait_for_selector("#play:text-is('暂停')")
    assert page.console_errors == []
