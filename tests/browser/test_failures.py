"""Failures where people look, in a real browser: the library card with its reason and the
provider's words, and “Try again” refilling the form (a new, paid request)."""

import re

import pytest

from music.models import Task, TaskState
from tests.factories import MembershipFactory
from tests.helpers import run_queued

pytestmark = pytest.mark.django_db(transaction=True)

LYRIC = "[Verse]\nNeon rain on the window\n[Chorus]\n雨夜 🌧 city lights"


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def create_custom_song(page, *, title):
    page.goto("/create/")
    page.check("input[name=mode][value=custom]")
    page.fill("#id_lyric", LYRIC)
    page.fill("#id_style", "synthwave, female vocals")
    page.fill("#id_style_negative", "heavy metal")
    page.fill("#id_title", title)
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_a_failed_job_shows_in_the_library_and_try_again_refills_the_form(
    page, simulator, screenshot
):
    user = MembershipFactory(role="member").user
    sign_in(page, user)
    simulator.faults.fail_jobs = "Lyrics flagged by moderation"
    create_custom_song(page, title="Neon rain")
    run_queued()  # what the queue worker does: the provider fails the job
    failed = Task.objects.get()
    assert failed.state == TaskState.FAILED

    page.goto("/?state=failed")
    card = page.locator(".song-card", has_text="Neon rain").first
    card.wait_for()
    assert "The provider could not make this clip." in card.inner_text()
    card.locator("summary").click()  # the provider's own words, under "Details"
    assert "Lyrics flagged by moderation" in card.locator("details").inner_text()
    screenshot(page, "library-failed-job")

    card.locator("text=Try again").click()
    page.wait_for_url(re.compile(r"/create/\?retry="))
    # The same form, filled in with what the failed request asked, in custom mode.
    assert page.is_checked("input[name=mode][value=custom]")
    assert page.input_value("#id_lyric") == LYRIC
    assert page.input_value("#id_style") == "synthwave, female vocals"
    assert page.input_value("#id_style_negative") == "heavy metal"
    assert page.input_value("#id_title") == "Neon rain"
    # Said before sending: this is a new request, paid for like any other.
    assert "new request" in page.inner_text("#retry-notice")
    assert page.input_value("input[name=request_key]") != failed.request_key

    simulator.faults.fail_jobs = ""
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    # Not deduplicated into the failed task: a second task, sent on its own.
    assert Task.objects.count() == 2
    assert not page.console_errors


def test_a_refused_request_shows_as_a_card_with_its_reason_in_chinese(page, simulator):
    user = MembershipFactory(role="member").user
    sign_in(page, user)
    simulator.faults.next_errors.append((400, "content_policy", "prompt rejected by filter"))
    create_custom_song(page, title="Refused song")
    run_queued()
    assert Task.objects.get().state == TaskState.FAILED  # failed in the worker, in English

    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    card = page.locator("#failed-jobs .failed-task").first
    text = card.inner_text()
    assert "服务商返回了错误（HTTP 400）。未扣费，可以重试。" in text
    assert "The provider answered" not in text
    assert "prompt rejected by filter" in card.locator("details").text_content()
    assert card.locator("a.btn").inner_text() == "重试"
