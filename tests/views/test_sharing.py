"""Share links: members make and turn off public links to one song; anyone with a live link
can listen to that song, and reaches nothing else."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from music.models import ShareLink
from tests.factories import SongFactory, TaskFactory
from tests.mediafiles import image, mp3_frames

AUDIO = mp3_frames(0.5)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def shared_song(team, member):
    task = TaskFactory(team=team, created_by=member, params={"prompt": "secret prompt words"})
    song = SongFactory(
        team=team,
        task=task,
        author=member,
        title="Harbour Lights",
        lyric="[Verse]\nLanterns on the water",
        prompt="secret prompt words",
    )
    song.audio_file.save("audio.mp3", ContentFile(AUDIO), save=False)
    song.image_file.save("cover.png", ContentFile(image("PNG")), save=False)
    song.save()
    return song


def make_link(member_client, song, expires=""):
    response = member_client.post(reverse("music:share", args=[song.pk]), {"expires": expires})
    assert response.status_code == 302
    return ShareLink.objects.get(song=song)


def test_a_member_makes_a_link_that_anyone_can_open(member_client, shared_song, member):
    link = make_link(member_client, shared_song)
    assert link.created_by == member and link.expires_at is None and len(link.token) >= 32
    page = member_client.get(reverse("music:share", args=[shared_song.pk])).content.decode()
    assert reverse("music:shared_song", args=[link.token]) in page
    assert f"Made by {member.username}" in page

    stranger = Client()
    response = stranger.get(reverse("music:shared_song", args=[link.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour Lights" in html and "Lanterns on the water" in html
    assert reverse("music:shared_audio", args=[link.token]) in html
    # Nothing of the studio: no prompt, no song or library URL, no team.
    assert "secret prompt words" not in html
    assert "/songs/" not in html and shared_song.team.name not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]

    audio = stranger.get(reverse("music:shared_audio", args=[link.token]), HTTP_RANGE="bytes=0-99")
    assert audio.status_code == 206 and body(audio) == AUDIO[:100]
    cover = stranger.get(reverse("music:shared_cover", args=[link.token]))
    assert cover.status_code == 200 and body(cover) == image("PNG")
    # The token opens this song's files only: the studio's own URLs still ask to sign in.
    assert stranger.get(reverse("music:song_audio", args=[shared_song.pk])).status_code == 302


def test_a_link_turned_off_or_expired_opens_nothing(member_client, shared_song, owner):
    link = make_link(member_client, shared_song, expires="7")
    assert timedelta(days=6) < link.expires_at - timezone.now() <= timedelta(days=7)
    url = reverse("music:shared_song", args=[link.token])
    assert Client().get(url).status_code == 200

    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("music:shared_audio", args=[link.token])).status_code == 404

    link.expires_at = None
    link.save()
    member_client.force_login(owner)
    revoke = reverse("music:share_revoke", args=[shared_song.pk, link.pk])
    assert member_client.post(revoke).status_code == 302
    assert Client().get(url).status_code == 404
    link.refresh_from_db()
    assert link.revoked_by == owner
    page = member_client.get(reverse("music:share", args=[shared_song.pk])).content.decode()
    assert f"turned off by {owner.username}" in page
    assert url not in page  # a dead link is not offered for copying


def test_viewers_see_links_but_cannot_make_or_turn_them_off(
    client, viewer, member_client, shared_song
):
    link = make_link(member_client, shared_song)
    client.force_login(viewer)
    page = client.get(reverse("music:share", args=[shared_song.pk]))
    assert page.status_code == 200
    assert reverse("music:shared_song", args=[link.token]) in page.content.decode()
    assert "Make a link" not in page.content.decode()
    assert client.post(reverse("music:share", args=[shared_song.pk])).status_code == 403
    revoke = reverse("music:share_revoke", args=[shared_song.pk, link.pk])
    assert client.post(revoke).status_code == 403
    assert ShareLink.objects.filter(song=shared_song).count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_another_teams_member_cannot_see_or_revoke_links(
    client, outsider, member_client, shared_song
):
    link = make_link(member_client, shared_song)
    client.force_login(outsider)
    assert client.get(reverse("music:share", args=[shared_song.pk])).status_code == 404
    revoke = reverse("music:share_revoke", args=[shared_song.pk, link.pk])
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_song_without_its_audio_cannot_be_shared(member_client, team):
    running = SongFactory(team=team, state="running")
    response = member_client.post(reverse("music:share", args=[running.pk]), {"expires": ""})
    assert response.status_code == 400
    assert "Only a finished song with its audio" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_an_unknown_expiry_is_refused_with_the_reason(member_client, shared_song):
    response = member_client.post(reverse("music:share", args=[shared_song.pk]), {"expires": "3"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_the_share_page_speaks_chinese(member_client, shared_song):
    make_link(member_client, shared_song)
    page = member_client.get(
        reverse("music:share", args=[shared_song.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "分享" in page and "Make a link" not in page


def test_a_playlist_link_plays_its_songs_and_no_other(member_client, team, member, shared_song):
    from music.services import playlists, trash

    playlist = playlists.create(team, member, "Harbour set")
    other = SongFactory(team=team, title="Not in the set")
    other.audio_file.save("o.mp3", ContentFile(AUDIO), save=True)
    gone = SongFactory(team=team, title="Trashed one")
    gone.audio_file.save("g.mp3", ContentFile(AUDIO), save=True)
    playlists.add(playlist, [shared_song, gone], member)
    trash.trash(gone, member)
    response = member_client.post(reverse("music:playlist_share", args=[playlist.pk]), {})
    assert response.status_code == 302
    link = ShareLink.objects.get(playlist=playlist)

    stranger = Client()
    html = stranger.get(reverse("music:shared_song", args=[link.token])).content.decode()
    assert "Harbour set" in html and "Harbour Lights" in html
    assert "Trashed one" not in html and "Not in the set" not in html
    track = reverse("music:shared_track", args=[link.token, shared_song.pk])
    assert track in html
    assert body(stranger.get(track)) == AUDIO
    for song in (other, gone):
        url = reverse("music:shared_track", args=[link.token, song.pk])
        assert stranger.get(url).status_code == 404
    # A song link opens its own song only, under either URL.
    song_link = make_link(member_client, shared_song)
    own = reverse("music:shared_track", args=[song_link.token, shared_song.pk])
    assert stranger.get(own).status_code == 200
    elsewhere = reverse("music:shared_track", args=[song_link.token, other.pk])
    assert stranger.get(elsewhere).status_code == 404


def test_each_share_page_says_what_its_link_opens(member_client, team, member, shared_song):
    from music.services import playlists

    playlist = playlists.create(team, member, "Harbour set")
    song_page = member_client.get(reverse("music:share", args=[shared_song.pk])).content.decode()
    assert "this song's cover, player and lyrics" in song_page
    assert "this playlist's songs" not in song_page
    url = reverse("music:playlist_share", args=[playlist.pk])
    playlist_page = member_client.get(url).content.decode()
    assert "this playlist's songs" in playlist_page
    assert "this song's cover, player and lyrics" not in playlist_page


def test_only_a_post_makes_or_turns_off_a_link(member_client, team, member, shared_song):
    from music.services import playlists

    # Any other method shows the page and makes nothing.
    response = member_client.put(reverse("music:share", args=[shared_song.pk]))
    assert response.status_code == 200 and not ShareLink.objects.exists()
    link = make_link(member_client, shared_song)
    playlist = playlists.create(team, member, "Set")
    member_client.post(reverse("music:playlist_share", args=[playlist.pk]), {})
    playlist_link = ShareLink.objects.get(playlist=playlist)
    for url in (
        reverse("music:share_revoke", args=[shared_song.pk, link.pk]),
        reverse("music:playlist_share_revoke", args=[playlist.pk, playlist_link.pk]),
    ):
        assert member_client.get(url).status_code == 405  # a link in a page cannot revoke
    assert ShareLink.objects.filter(revoked_at__isnull=True).count() == 2


def test_viewers_cannot_turn_off_a_playlist_link(client, viewer, team, member):
    from music.services import playlists, sharing

    playlist = playlists.create(team, member, "Set")
    link = sharing.create_link(playlist, member)
    client.force_login(viewer)
    url = reverse("music:playlist_share_revoke", args=[playlist.pk, link.pk])
    assert client.post(url).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
    client.force_login(member)  # the control: a member can
    client.post(url)
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_public_urls_take_no_post(member_client, shared_song):
    link = make_link(member_client, shared_song)
    stranger = Client()
    for name, args in (
        ("music:shared_song", [link.token]),
        ("music:shared_audio", [link.token]),
        ("music:shared_cover", [link.token]),
        ("music:shared_track", [link.token, shared_song.pk]),
    ):
        assert stranger.post(reverse(name, args=args)).status_code == 405, name
