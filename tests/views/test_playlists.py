"""Team playlists: made, filled from the library, reordered, played in order, zipped."""

import io
import re
import zipfile

from django.core.files.base import ContentFile
from django.urls import reverse

from music.models import Playlist, PlaylistItem
from music.services import playlists, trash
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames


def order(playlist):
    return list(playlist.items.order_by("position").values_list("song__title", flat=True))


def test_make_a_playlist_and_fill_it_from_the_library(member_client, team, member):
    response = member_client.post(reverse("music:playlists"), {"name": "Road trip"})
    playlist = Playlist.objects.get(name="Road trip")
    assert response["Location"] == reverse("music:playlist", args=[playlist.pk])
    a, b = SongFactory(team=team, title="Alpha"), SongFactory(team=team, title="Bravo")

    # From the library's bar: picked songs -> the choice of playlist -> added.
    bar = member_client.post(reverse("music:bulk"), {"song": [a.pk, b.pk], "do": "playlist"})
    choose = member_client.get(bar["Location"]).content.decode()
    assert "Road trip" in choose and "2 songs picked" in choose
    member_client.post(
        reverse("music:playlist_add"), {"song": [a.pk, b.pk], "playlist": playlist.pk}
    )
    assert order(playlist) == ["Alpha", "Bravo"]
    # Adding again adds nothing twice.
    member_client.post(reverse("music:playlist_add"), {"song": [a.pk], "playlist": playlist.pk})
    assert order(playlist) == ["Alpha", "Bravo"]
    page = member_client.get(reverse("music:playlist", args=[playlist.pk])).content.decode()
    assert page.index("Alpha") < page.index("Bravo")


def test_add_to_a_new_playlist_from_a_song_page(member_client, team):
    song = SongFactory(team=team, title="Solo")
    page = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert f"{reverse('music:playlist_add')}?song={song.pk}" in page
    member_client.post(
        reverse("music:playlist_add"), {"song": [song.pk], "new": "1", "name": "Fresh"}
    )
    assert order(Playlist.objects.get(name="Fresh")) == ["Solo"]


def test_reorder_by_moves_and_by_a_dragged_order(member_client, team, member):
    playlist = playlists.create(team, member, "Set")
    songs = [SongFactory(team=team, title=t) for t in ("One", "Two", "Three")]
    playlists.add(playlist, songs, member)
    items = {i.song.title: i.pk for i in playlist.items.select_related("song")}
    edit = reverse("music:playlist_edit", args=[playlist.pk])
    member_client.post(edit, {"do": "down", "item": items["One"]})
    assert order(playlist) == ["Two", "One", "Three"]
    member_client.post(edit, {"do": "up", "item": items["Two"]})  # already first: no change
    assert order(playlist) == ["Two", "One", "Three"]
    response = member_client.post(
        edit,
        {"do": "reorder", "item": [items["Three"], items["Two"], items["One"]]},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 204
    assert order(playlist) == ["Three", "Two", "One"]
    member_client.post(edit, {"do": "remove", "item": items["Two"]})
    assert order(playlist) == ["Three", "One"]


def test_the_zip_keeps_the_order_and_the_trash_is_left_out(member_client, team, member):
    playlist = playlists.create(team, member, "Mix tape")
    songs = []
    for title in ("Zulu", "Yankee", "Xray"):
        song = SongFactory(team=team, title=title)
        song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
        songs.append(song)
    playlists.add(playlist, songs, member)
    trash.trash(songs[1], member)
    response = member_client.get(reverse("music:playlist_zip", args=[playlist.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["mix-tape/01-zulu.mp3", "mix-tape/02-xray.mp3"]
    page = member_client.get(reverse("music:playlist", args=[playlist.pk])).content.decode()
    assert "Yankee" not in page


def test_viewers_play_but_do_not_change_playlists(client, viewer, team, member):
    playlist = playlists.create(team, member, "Theirs")
    song = SongFactory(team=team)
    playlists.add(playlist, [song], member)
    client.force_login(viewer)
    page = client.get(reverse("music:playlist", args=[playlist.pk])).content.decode()
    assert "Theirs" in page and "Delete playlist" not in page
    assert not re.search(r'name="do" value="remove"', page)
    item = playlist.items.get()
    edit = reverse("music:playlist_edit", args=[playlist.pk])
    assert client.post(edit, {"do": "remove", "item": item.pk}).status_code == 403
    assert client.post(reverse("music:playlists"), {"name": "Mine"}).status_code == 403
    assert PlaylistItem.objects.count() == 1 and Playlist.objects.count() == 1


def test_delete_asks_first_and_keeps_the_songs(member_client, team, member):
    playlist = playlists.create(team, member, "Short lived")
    song = SongFactory(team=team)
    playlists.add(playlist, [song], member)
    url = reverse("music:playlist_delete", args=[playlist.pk])
    assert "its songs stay in the library" in member_client.get(url).content.decode()
    assert Playlist.objects.exists()
    member_client.post(url)
    assert not Playlist.objects.exists()
    song.refresh_from_db()


def test_other_teams_songs_never_enter_a_playlist(member_client, team, member):
    playlist = playlists.create(team, member, "Ours")
    stranger = SongFactory()
    member_client.post(
        reverse("music:playlist_add"), {"song": [stranger.pk], "playlist": playlist.pk}
    )
    assert not playlist.items.exists()
    assert playlists.add(playlist, [stranger], member) == 0
