"""Downloads of media kept in a bucket: the team check, then a redirect to a signed URL.

The bucket is moto's S3 server over real HTTP; the redirect is followed with httpx, as a
browser would, so what is checked is what the bucket really answers.
"""

import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from music.services import mediatypes
from tests.helpers import make_song, run_queued

MEDIA_URLS = ["music:song_audio", "music:song_cover", "music:song_wav", "music:song_video"]


@pytest.fixture
def song(s3_media, team, member, member_client):
    """A Pro song archived into the bucket by the real lifecycle, with its WAV and MP4."""
    song = make_song(team, member, is_pro=True)
    for action in ("wav", "mp4"):
        member_client.post(reverse("music:quick_action", args=[song.pk, action]))
    run_queued()
    song.refresh_from_db()
    assert song.wav_file and song.video_file
    return song


def stored(bucket, field_file):
    return bucket.Object(field_file.name).get()["Body"].read()


def assert_signed_redirect(response):
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{settings.STUDIO_MEDIA_ORIGIN}/")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=300" in location
    # Private to the member's browser, and reused only while the signed URL surely works.
    assert response["Cache-Control"] == "private, max-age=150"
    return location


@pytest.mark.parametrize(
    ("name", "field", "content_type", "extension", "attachment"),
    [
        ("music:song_audio", "audio_file", "audio/mpeg", ".mp3", False),
        ("music:song_cover", "image_file", "image/png", ".png", False),
        ("music:song_wav", "wav_file", "audio/wav", ".wav", True),
        ("music:song_video", "video_file", "video/mp4", ".mp4", False),
    ],
)
def test_a_member_is_sent_to_a_signed_url_that_serves_the_file_as_what_it_is(
    member_client, song, s3_media, name, field, content_type, extension, attachment
):
    location = assert_signed_redirect(member_client.get(reverse(name, args=[song.pk])))
    answer = httpx.get(location)
    assert answer.status_code == 200
    assert answer.content == stored(s3_media, getattr(song, field))
    assert answer.headers["Content-Type"] == content_type
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment" if attachment else "inline")
    assert extension in disposition and song.upstream_id[:8] in disposition
    assert answer.headers["Cache-Control"] == "private, max-age=300"


def test_a_download_link_gives_an_attachment(member_client, song):
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), {"download": "1"})
    answer = httpx.get(assert_signed_redirect(response))
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert ".mp3" in answer.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("header", "start", "end"), [("bytes=100-199", 100, 199), ("bytes=-50", None, None)]
)
def test_the_bucket_answers_range_requests_with_206(
    member_client, song, s3_media, header, start, end
):
    data = stored(s3_media, song.audio_file)
    if start is None:
        start, end = len(data) - 50, len(data) - 1
    # A player sends its Range to the studio, and again to where it is redirected.
    response = member_client.get(reverse("music:song_audio", args=[song.pk]), HTTP_RANGE=header)
    answer = httpx.get(assert_signed_redirect(response), headers={"Range": header})
    assert answer.status_code == 206
    assert answer.content == data[start : end + 1]
    assert answer.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
    assert answer.headers["Content-Type"] == "audio/mpeg"


@pytest.mark.parametrize("name", MEDIA_URLS)
def test_outsiders_get_404_and_never_a_signed_url(client, outsider, song, name):
    client.force_login(outsider)
    response = client.get(reverse(name, args=[song.pk]))
    assert response.status_code == 404
    assert "Location" not in response
    assert b"X-Amz" not in response.content


@pytest.mark.parametrize("name", MEDIA_URLS)
def test_anonymous_users_are_sent_to_sign_in_and_never_to_the_bucket(song, name):
    from django.test import Client

    response = Client().get(reverse(name, args=[song.pk]))  # `client` signed in for `song`
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert settings.STUDIO_MEDIA_ORIGIN not in response["Location"]
    assert "X-Amz" not in response["Location"]


def test_viewers_can_listen(client, viewer, song):
    client.force_login(viewer)
    response = client.get(reverse("music:song_audio", args=[song.pk]))
    assert httpx.get(assert_signed_redirect(response)).status_code == 200


@pytest.mark.parametrize(
    ("field", "name", "stored_as", "body"),
    [
        # Archived before types were checked, under a name that is no media type of ours.
        ("audio_file", "music:song_audio", "legacy.html", b"<html><script>alert(1)</script>"),
        (
            "image_file",
            "music:song_cover",
            "legacy.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        ),
        # An image is not the song's audio, whatever field holds it.
        ("audio_file", "music:song_audio", "cover.png", None),
    ],
)
def test_a_file_that_is_none_of_the_allowed_kinds_goes_out_as_an_opaque_attachment(
    member_client, team, s3_media, field, name, stored_as, body
):
    from django.core.files.base import ContentFile

    from tests.factories import SongFactory
    from tests.mediafiles import image

    song = SongFactory(team=team)
    getattr(song, field).save(stored_as, ContentFile(body or image("PNG")))
    location = assert_signed_redirect(member_client.get(reverse(name, args=[song.pk])))
    answer = httpx.get(location)
    assert answer.headers["Content-Type"] == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert ".bin" in answer.headers["Content-Disposition"]
    assert ".html" not in answer.headers["Content-Disposition"]


def test_the_type_comes_from_the_stored_name_without_reading_the_object(
    member_client, song, s3_media, monkeypatch
):
    """Archiving chose the name from the bytes; serving asks nothing of the bucket (signing
    is local), so a play or a seek costs the studio no request to it."""

    def no_reads(*args, **kwargs):
        raise AssertionError("the object was read to serve it")

    monkeypatch.setattr(mediatypes, "sniff_file", no_reads)
    s3_storage_class = song.audio_file.storage.__class__  # the lazy default_storage's class
    for method in ("_open", "size", "exists"):
        monkeypatch.setattr(s3_storage_class, method, no_reads)
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert httpx.get(assert_signed_redirect(response)).headers["Content-Type"] == "audio/mpeg"
