"""Uploading a file: the page, its refusals, and the signed link the provider fetches."""

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from music.models import AudioUpload, Relation, Song, SongState, Task, TaskState
from music.services import uploads
from music.services.tasks import sending
from tests.factories import MembershipFactory
from tests.helpers import run_queued
from tests.mediafiles import audio


def a_file(fmt="mp3", name="Morning demo.mp3", seconds=2):
    return SimpleUploadedFile(name, audio(fmt, seconds=seconds), content_type="audio/mpeg")


@pytest.fixture
def membership(member, team):
    return member.memberships.get(team=team)


@pytest.fixture
def stored(membership):
    return uploads.store(membership, a_file())


def path_of(url):
    return urlsplit(url).path


# --- the page -----------------------------------------------------------------------------
def test_the_page_shows_the_limits_and_a_file_picker(member_client, settings):
    settings.STUDIO_UPLOAD_MAX_MB = 20
    settings.STUDIO_UPLOAD_MAX_SECONDS = 300
    page = member_client.get(reverse("music:upload")).content.decode()
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "MP3, WAV, FLAC, M4A, OGG; up to 20 MB and 5:00 long." in page
    assert 'data-max-bytes="20971520"' in page and 'data-max-seconds="300"' in page


def test_viewers_neither_see_nor_use_the_upload(client, team):
    viewer = MembershipFactory(team=team, role="viewer").user
    client.force_login(viewer)
    library = client.get(reverse("music:library")).content.decode()
    assert f'href="{reverse("music:upload")}"' not in library
    response = client.post(reverse("music:upload"), {"audio_file": a_file(), "mode": "upload"})
    assert response.status_code == 403
    assert not AudioUpload.objects.exists() and not Task.objects.exists()


def test_members_see_the_upload(member_client):
    library = member_client.get(reverse("music:library")).content.decode()
    assert f'href="{reverse("music:upload")}"' in library


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"audio_file": lambda: SimpleUploadedFile("song.mp3", b"<html>hello</html>")},
            "This file is not audio the providers take",
        ),
        ({}, "Choose an audio file, or paste a link to one."),
        (
            {"audio_file": a_file, "audio_url": "https://example.com/a.mp3"},
            "Upload the file or the link, not both",
        ),
        (
            {
                "audio_file": a_file,
                "mode": "continue",
                "continue_at": "5",
                "lyric": "la",
                "model": "chirp-v4",
            },
            "Your audio is only 2.0 s long",
        ),
    ],
)
def test_refusals_say_why_and_keep_nothing(member_client, simulator, data, message):
    posted = {"mode": "upload", **{k: v() if callable(v) else v for k, v in data.items()}}
    response = member_client.post(reverse("music:upload"), posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AudioUpload.objects.exists() and not Task.objects.exists()
    assert simulator.requests == []


def test_limits_are_enforced_by_the_server(member_client, settings):
    settings.STUDIO_UPLOAD_MAX_SECONDS = 1
    response = member_client.post(
        reverse("music:upload"), {"audio_file": a_file(seconds=2), "mode": "upload"}
    )
    assert "The audio lasts 0:02; audio of up to 0:01 can be uploaded." in response.content.decode()
    settings.STUDIO_UPLOAD_MAX_SECONDS = 480
    settings.STUDIO_UPLOAD_MAX_MB = 0.01
    response = member_client.post(
        reverse("music:upload"), {"audio_file": a_file(), "mode": "upload"}
    )
    assert "files of up to 0.01 MB can be uploaded" in response.content.decode()
    assert not AudioUpload.objects.exists()


def test_refusals_are_in_the_users_language(member_client):
    member_client.cookies["django_language"] = "zh-hans"
    response = member_client.post(
        reverse("music:upload"),
        {"audio_file": SimpleUploadedFile("song.mp3", b"not audio"), "mode": "upload"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert "This file is not audio" not in page
    assert "MP3" in page


def test_an_htmx_post_gets_the_form_back_or_a_redirect(member_client):
    response = member_client.post(
        reverse("music:upload"), {"mode": "upload"}, HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().lstrip().startswith("<form")
    response = member_client.post(
        reverse("music:upload"), {"audio_file": a_file(), "mode": "upload"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("music:library")


# --- the signed link ----------------------------------------------------------------------
def test_the_link_gives_the_file_and_nothing_else(client, stored):
    link = uploads.public_link(stored)
    assert link.startswith("http://127.0.0.1:8000/files/") or link.startswith("http")
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()
    assert response["Content-Type"] == "audio/mpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_expired_link_is_gone(client, stored, monkeypatch, settings):
    settings.STUDIO_UPLOAD_LINK_MINUTES = 15
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 16 * 60)
    old = uploads.public_link(stored)
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 14 * 60)
    recent = uploads.public_link(stored)
    monkeypatch.undo()
    assert client.get(path_of(old)).status_code == 410
    assert client.get(path_of(recent)).status_code == 200


def test_a_tampered_link_is_not_found(client, stored):
    link = path_of(uploads.public_link(stored))
    head, token, name = link.rsplit("/", 2)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"{head}/{flipped}/{name}").status_code == 404
    assert client.get(f"{head}/{token}/audio.wav").status_code == 404  # another name
    assert client.get(f"{head}/{token}/").status_code == 404
    assert client.get(f"{head}/").status_code == 404  # no listing
    assert client.get("/files/").status_code == 404


def test_one_files_link_opens_no_other_file(client, membership, stored):
    other = uploads.store(membership, a_file("wav", name="Other.wav"))
    token = uploads.link_token(stored)
    path = reverse("music:upload_file", args=[other.pk, token, uploads.link_name(other)])
    assert client.get(path).status_code == 404


def test_a_link_names_its_team(client, stored):
    """A token signed for the same file id but another team opens nothing."""
    other_team = MembershipFactory().team
    token = signing.dumps({"u": str(stored.pk), "t": other_team.pk}, salt=uploads.TOKEN_SALT)
    path = reverse("music:upload_file", args=[stored.pk, token, uploads.link_name(stored)])
    assert client.get(path).status_code == 404
    # The same token shape for its own team opens it: the team is what refused.
    token = signing.dumps({"u": str(stored.pk), "t": stored.team_id}, salt=uploads.TOKEN_SALT)
    path = reverse("music:upload_file", args=[stored.pk, token, uploads.link_name(stored)])
    assert client.get(path).status_code == 200


def test_the_task_keeps_no_usable_link(membership, stored, monkeypatch):
    """The request shown on the task page has the link without its token."""
    from music.services import actions

    sent = []
    monkeypatch.setattr(sending, "call_side", lambda provider, task: sent.append(task) or 1 / 0)
    task = actions.upload(membership, audio_file=stored, title="Morning demo")
    with pytest.raises(ZeroDivisionError):
        sending.submit(task.pk)
    task.refresh_from_db()
    token = path_of(sent[0].params["audio_url"]).rsplit("/", 2)[1]
    assert uploads.upload_for_link(stored.pk, token, uploads.link_name(stored)) == stored
    assert token not in str(task.request_payload) and token not in str(task.params)


def test_an_upload_whose_file_is_gone_fails_without_charge(membership, stored, simulator):
    from music.services import actions

    task = actions.upload(membership, audio_file=stored, title="Morning demo")
    stored.delete()
    run_queued()
    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert "upload it again" in task.error_message and "Nothing was charged" in task.error_message
    assert simulator.requests == []


# --- end to end, through the simulator ----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_upload_a_file_continue_it_and_see_it_in_the_tree(live_server, settings, client, simulator):
    """The simulator fetches the file from the studio's public URL over HTTP, as a provider
    would; the song keeps the file's name and is the root of what is made from it."""
    settings.STUDIO_PUBLIC_URL = live_server.url
    member = MembershipFactory(role="member").user
    client.force_login(member)
    response = client.post(
        reverse("music:upload"),
        {"audio_file": a_file("wav", name="Rainy tuesday.wav", seconds=3), "mode": "upload"},
    )
    assert response.status_code == 302
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.state == SongState.SUCCEEDED
    assert uploaded.title == "Rainy tuesday"
    assert uploaded.duration == pytest.approx(3, abs=0.3)
    task = Task.objects.get(action="upload")
    assert "/files/" in task.request_payload["audio_url"]

    client.post(
        reverse("music:extend", args=[uploaded.pk]),
        {"continue_at": "2", "lyric": "[Verse]\nRain again", "style": "folk", "model": "chirp-v4"},
    )
    run_queued()
    continued = Song.objects.filter(relation=Relation.EXTENDED).first()
    assert continued.parent == uploaded and continued.root == uploaded
    page = client.get(reverse("music:song", args=[continued.pk])).content.decode()
    tree = page[page.index('id="lineage"') :]
    assert f'href="/songs/{uploaded.pk}/"' in tree and "Rainy tuesday" in tree


def test_a_form_posted_twice_keeps_one_file_and_one_task(member_client):
    data = {"mode": "upload", "request_key": "same-form-key"}
    for _ in range(2):
        member_client.post(reverse("music:upload"), {**data, "audio_file": a_file()})
    assert Task.objects.count() == 1
    assert AudioUpload.objects.count() == 1
