"""Navigation by htmx (boosted links, back/forward): pages get pages, files go to the browser."""

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from music.views.errors import server_error
from tests.factories import SongFactory
from tests.mediafiles import image, mp3_frames

PAGE = b'<div id="page"'
INNER = {"HTTP_HX_REQUEST": "true"}
BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}
RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


@pytest.fixture
def song(team):
    song = SongFactory(team=team, title="Harbour lights")
    song.audio_file.save("audio.mp3", ContentFile(mp3_frames(0.5)), save=False)
    song.image_file.save("cover.png", ContentFile(image("PNG")), save=False)
    song.save()
    return song


@pytest.mark.parametrize("name", ["music:library", "music:tasks"])
def test_a_live_refresh_gets_its_part_and_navigation_the_whole_page(member_client, name):
    url = reverse(name)
    inner = member_client.get(url, **INNER)
    assert inner.status_code == 200
    assert PAGE not in inner.content  # the control: an inner swap still gets the partial
    for headers in (BOOSTED, RESTORE):
        response = member_client.get(url, **headers)
        assert response.status_code == 200
        assert PAGE in response.content
        assert b'id="player-bar"' in response.content


def test_the_song_history_link_gets_its_page_when_boosted(member_client, song):
    url = reverse("music:song_history", args=[song.pk])
    assert b"<html" not in member_client.get(url, **INNER).content
    assert PAGE in member_client.get(url, **BOOSTED).content


@pytest.mark.parametrize("suffix", ["audio/?download=1", "audio/", "cover/"])
def test_a_boosted_request_for_a_file_is_sent_to_the_browser_unread(member_client, song, suffix):
    url = reverse("music:song", args=[song.pk]) + suffix
    response = member_client.get(url, **BOOSTED)
    assert response.status_code == 204
    assert response["HX-Redirect"] == url
    assert response.content == b""
    # The control: the same URL, asked plainly, is the file.
    plain = member_client.get(url)
    assert plain.status_code == 200
    assert not plain["Content-Type"].startswith("text/html")


def test_the_file_itself_is_served_to_a_plain_request(member_client, song):
    response = member_client.get(reverse("music:song_audio", args=[song.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert "HX-Redirect" not in response


def test_an_error_page_reached_by_navigation_is_a_whole_page(member_client, song):
    missing = reverse("music:song", args=["00000000-0000-0000-0000-000000000000"])
    response = member_client.get(missing, **BOOSTED)
    assert response.status_code == 404
    assert PAGE in response.content
    assert "HX-Redirect" not in response


def test_a_boosted_request_signed_out_is_redirected_to_sign_in(client):
    response = client.get(reverse("music:tasks"), **BOOSTED)
    assert response.status_code == 302
    assert "HX-Redirect" not in response


def test_the_500_page_can_be_swapped_in():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert PAGE in response.content
