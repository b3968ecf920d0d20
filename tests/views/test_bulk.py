"""Picking several songs in the library: favourite them, trash them, take them as a ZIP."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.urls import reverse

from music.models import Favourite, Song
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames

URL = reverse("music:bulk")


def picked(*songs, do):
    return {"song": [str(s.pk) for s in songs], "do": do, "next": "/?q=tide"}


def test_every_card_can_be_picked_and_the_bar_acts_on_them(member_client, team):
    song = SongFactory(team=team)
    html = member_client.get(reverse("music:library")).content.decode()
    assert f'value="{song.pk}" form="bulk"' in html and 'id="bulk"' in html


def test_favourite_then_trash_several_songs(member_client, team, member):
    a, b, c = (SongFactory(team=team) for _ in range(3))
    response = member_client.post(URL, picked(a, b, do="favourite"))
    assert response.status_code == 302 and response["Location"] == "/?q=tide"
    assert set(Favourite.objects.values_list("song_id", flat=True)) == {a.pk, b.pk}
    member_client.post(URL, picked(a, do="unfavourite"))
    assert set(Favourite.objects.values_list("song_id", flat=True)) == {b.pk}
    member_client.post(URL, picked(b, c, do="trash"))
    assert set(Song.objects.filter(trashed_at__isnull=False).values_list("pk", flat=True)) == {
        b.pk,
        c.pk,
    }


def test_a_zip_of_the_picked_songs(member_client, team):
    first = SongFactory(team=team, title="First light")
    second = SongFactory(team=team, title="Second wind")
    for song, seconds in ((first, 0.3), (second, 0.5)):
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(seconds)), save=True)
    response = member_client.post(URL, picked(first, second, do="zip"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["first-light.mp3", "second-wind.mp3"]
    assert archive.read("second-wind.mp3") == mp3_frames(0.5)


def test_other_teams_songs_are_ignored_and_viewers_cannot_trash(
    client, viewer, outsider, team, member_client
):
    ours = SongFactory(team=team)
    theirs = SongFactory()
    member_client.post(URL, picked(ours, theirs, do="trash"))
    theirs.refresh_from_db()
    assert theirs.trashed_at is None
    client.force_login(viewer)
    other = SongFactory(team=team)
    assert client.post(URL, picked(other, do="trash")).status_code == 403
    other.refresh_from_db()
    assert other.trashed_at is None
    assert client.post(URL, picked(other, do="favourite")).status_code == 302  # viewers may
    client.force_login(outsider)
    response = client.post(URL, picked(other, do="zip"))
    assert response.status_code == 302  # nothing of ours was picked, as far as they can tell


def test_nothing_picked_says_so_and_an_offsite_next_is_ignored(member_client):
    response = member_client.post(URL, {"do": "zip", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("music:library")
    page = member_client.get(response["Location"]).content.decode()
    assert "Pick one or more songs first" in page
