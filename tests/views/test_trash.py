"""The trash: members move songs out of the library and back; owners empty it; songs left
there long enough are deleted with their files."""

import re
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from music.models import Relation, ShareLink, Song
from music.services import trash
from music.services.tasks import housekeeping
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames

LIBRARY = reverse("music:library")


def titles(html):
    return set(re.findall(r'<h3 class="title"><a href="[^"]+">([^<]+)</a></h3>', html))


def test_a_trashed_song_leaves_the_library_and_comes_back(member_client, team, member):
    keep = SongFactory(team=team, title="Keeper")
    drop = SongFactory(team=team, title="Dud take")
    assert titles(member_client.get(LIBRARY).content.decode()) == {"Keeper", "Dud take"}

    response = member_client.post(reverse("music:song_trash", args=[drop.pk]))
    assert response.status_code == 302 and response["Location"] == LIBRARY
    html = member_client.get(LIBRARY).content.decode()
    assert titles(html) == {"Keeper"}
    assert "Dud take" not in member_client.get(LIBRARY, {"q": "Dud"}).content.decode()
    trash_page = member_client.get(reverse("music:trash")).content.decode()
    assert "Dud take" in trash_page and f"moved here by {member.username}" in trash_page
    song_page = member_client.get(reverse("music:song", args=[drop.pk])).content.decode()
    assert "This song is in the trash" in song_page

    member_client.post(reverse("music:song_restore", args=[drop.pk]))
    assert titles(member_client.get(LIBRARY).content.decode()) == {"Keeper", "Dud take"}
    history = member_client.get(reverse("music:song_history", args=[drop.pk])).content.decode()
    assert "moved it to the trash" in history and "restored it from the trash" in history
    assert keep.trashed_at is None


def test_the_library_counts_pages_without_the_trash(member_client, team):
    songs = [SongFactory(team=team) for _ in range(25)]  # 24 per page: two pages
    html = member_client.get(LIBRARY).content.decode()
    assert "Page 1 of 2" in html
    trash.trash(songs[0], None)
    html = member_client.get(LIBRARY).content.decode()
    assert "Page 1 of 2" not in html and len(titles(html)) == 24


def test_a_trashed_song_is_not_shared_nor_zipped(member_client, team, member):
    song = SongFactory(team=team)
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
    link = ShareLink.objects.create(team=team, song=song, created_by=member)
    assert member_client.get(reverse("music:shared_song", args=[link.token])).status_code == 200
    trash.trash(song, member)
    assert member_client.get(reverse("music:shared_song", args=[link.token])).status_code == 404
    stem = SongFactory(team=team, parent=song, root=song, relation=Relation.STEM)
    stem.audio_file.save("s.mp3", ContentFile(mp3_frames(0.3)), save=True)
    trash.trash(stem, member)
    assert member_client.get(reverse("music:stems_zip", args=[song.pk])).status_code == 404


def test_only_owners_empty_the_trash_after_a_confirmation(
    client, owner, member, team, django_capture_on_commit_callbacks
):
    song = SongFactory(team=team, title="Gone for good")
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
    stored = song.audio_file.name
    trash.trash(song, member)
    url = reverse("music:trash_empty")

    client.force_login(member)
    assert client.post(url).status_code == 403
    assert Song.objects.filter(pk=song.pk).exists()

    client.force_login(owner)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "1 song will be deleted for good" in confirm.content.decode()
    assert Song.objects.filter(pk=song.pk).exists()  # asking is not doing
    with django_capture_on_commit_callbacks(execute=True):  # files go once the delete commits
        assert client.post(url).status_code == 302
    assert not Song.objects.filter(pk=song.pk).exists()
    assert not default_storage.exists(stored)


def test_viewers_cannot_trash_or_restore(client, viewer, team):
    song = SongFactory(team=team)
    client.force_login(viewer)
    assert client.post(reverse("music:song_trash", args=[song.pk])).status_code == 403
    song.refresh_from_db()
    assert song.trashed_at is None
    trash.trash(song, None)
    assert client.post(reverse("music:song_restore", args=[song.pk])).status_code == 403
    song.refresh_from_db()
    assert song.trashed_at is not None


def test_a_song_being_made_cannot_go_to_the_trash(member_client, team):
    song = SongFactory(team=team, state="running")
    member_client.post(reverse("music:song_trash", args=[song.pk]))
    song.refresh_from_db()
    assert song.trashed_at is None


def test_the_sweep_deletes_songs_left_in_the_trash_too_long(team, settings):
    settings.STUDIO_TRASH_DAYS = 30
    old = SongFactory(team=team)
    recent = SongFactory(team=team)
    kept = SongFactory(team=team)
    now = timezone.now()
    Song.objects.filter(pk=old.pk).update(trashed_at=now - timedelta(days=31))
    Song.objects.filter(pk=recent.pk).update(trashed_at=now - timedelta(days=29))
    counts = housekeeping.sweep(now)
    assert counts["trash_purged"] == 1
    assert set(Song.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
