"""Uploading your own audio in a real browser: the picker, drag and drop, limits, progress."""

import base64
import re

import pytest

from music.models import AudioUpload, Relation, Song
from tests.factories import MembershipFactory
from tests.helpers import finish_all_tasks
from tests.mediafiles import audio

pytestmark = pytest.mark.django_db(transaction=True)
LIBRARY = re.compile(r"^https?://[^/]+/$")

# A synthetic drop: the file goes into a DataTransfer, as the browser builds it for a drag
# from the desktop, and the drop zone gets dragover then drop.
DROP = """async ({data, name}) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "audio/wav"}));
  const zone = document.querySelector("#dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = {dataTransfer: transfer, bubbles: true, cancelable: true};
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""

# Remembers, across the page change after sending, how far the progress bar went.
WATCH_PROGRESS = """() => {
  sessionStorage.removeItem("progress");
  document.addEventListener("htmx:xhr:progress", () => {
    sessionStorage.setItem("progress", document.querySelector("#upload-progress-bar").value);
  });
}"""


@pytest.fixture
def member(live_server, settings, simulator):
    # The provider (the simulator) fetches uploads from the studio's public URL.
    settings.STUDIO_PUBLIC_URL = live_server.url
    simulator.max_duration = 12
    return MembershipFactory(role="member").user


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def drop(page, data, name):
    page.evaluate(DROP, {"data": base64.b64encode(data).decode(), "name": name})


def test_pick_a_file_upload_it_continue_it_and_see_it_in_the_tree(page, member, screenshot):
    sign_in(page, member)
    page.click("nav >> text=Upload")
    # The link swaps the page in (htmx): pick the file once the page's script has bound the
    # form, as a person could not be faster than that.
    page.wait_for_selector("#upload-form[data-upload-ready]", state="attached")
    page.set_input_files(
        "#id_audio_file",
        files=[{"name": "Rainy tuesday.wav", "mimeType": "audio/wav", "buffer": audio("wav", 3)}],
    )
    # Size and length, read before anything is sent.
    page.wait_for_selector("#upload-chosen:has-text('0:03')")
    assert "Rainy tuesday.wav" in page.inner_text("#upload-chosen")
    page.evaluate(WATCH_PROGRESS)
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(LIBRARY)
    assert page.evaluate("sessionStorage.getItem('progress')") == "100"
    finish_all_tasks()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.title == "Rainy tuesday"

    page.goto(f"/songs/{uploaded.pk}/")
    page.click("text=Extend")
    page.fill("#id_continue_at", "2")
    page.fill("#id_lyric", "[Verse]\nRain again on the window")
    page.fill("#id_style", "folk")
    page.click("form.create-form button[type=submit]")
    page.wait_for_url(f"**/songs/{uploaded.pk}/")
    finish_all_tasks()
    page.wait_for_selector("#lineage .rel-extended")
    continued = Song.objects.filter(relation=Relation.EXTENDED).first()
    page.click(f"#lineage a[href='/songs/{continued.pk}/']")
    # The upload is the root of the tree, under the file's name.
    root = page.locator("#lineage li").first
    assert "Rainy tuesday" in root.inner_text()
    assert root.locator(".rel-uploaded").count() == 1
    screenshot(page, "upload-continued-tree")
    assert page.console_errors == []


def test_drop_a_file_and_continue_it_in_one_go(page, member, screenshot):
    sign_in(page, member)
    page.goto("/upload/")
    drop(page, audio("wav", 3), "Night walk.wav")
    page.wait_for_selector("#upload-chosen:has-text('Night walk.wav')")
    page.check("input[name=mode][value=continue]")
    page.fill("#id_continue_at", "2")
    page.fill("#id_lyric", "[Verse]\nStreet lights hum")
    page.fill("#id_style", "lofi")
    screenshot(page, "upload-dropped")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(LIBRARY)
    finish_all_tasks()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.title == "Night walk"
    page.goto(f"/songs/{uploaded.pk}/")
    page.wait_for_selector("#lineage .rel-extended")
    assert Song.objects.filter(parent=uploaded, relation=Relation.EXTENDED).count() == 2
    assert page.console_errors == []


def test_a_file_over_the_limits_is_stopped_before_sending(page, member, settings):
    settings.STUDIO_UPLOAD_MAX_SECONDS = 2
    sign_in(page, member)
    page.goto("/upload/")
    drop(page, audio("wav", 3), "Too long.wav")
    page.wait_for_selector("#upload-chosen.error:has-text('0:03')")
    assert "0:02" in page.inner_text("#upload-chosen")
    page.click("#upload-form button[type=submit]")
    assert page.url.endswith("/upload/")
    assert not AudioUpload.objects.exists()
    # A file the browser cannot measure is still judged by the server, in the same words.
    drop(page, b"<html>not audio</html>", "fake.wav")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-form .error:has-text('not audio the providers take')")
    assert not AudioUpload.objects.exists()
