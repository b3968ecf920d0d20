"""Opening a share link: its token and the songs it reaches."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from music.forms.library import ShareLinkForm
from music.models import ShareLink
from music.services import playlists, sharing
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames


def playable(team, pk):
    song = SongFactory(team=team, id=uuid.UUID(int=pk), title=f"Song {pk}")
    song.audio_file.save(f"{pk}.mp3", ContentFile(mp3_frames(0.2)), save=True)
    return song


def test_a_token_longer_than_any_link_is_refused_without_asking_the_database(
    team, member, django_assert_num_queries
):
    link = sharing.create_link(playable(team, 1), member)
    longest = "t" * 64  # the column's size: a token that long may exist
    ShareLink.objects.filter(pk=link.pk).update(token=longest)
    assert sharing.open_link(longest).pk == link.pk
    for token in ("", "t" * 65, "t" * 5000):
        with django_assert_num_queries(0):
            assert sharing.open_link(token) is None


def test_a_playlist_link_reaches_each_of_its_songs_by_its_own_id_only(team, member):
    """Ids sorting before, between and after the playlist's songs reach nothing."""
    playlist = playlists.create(team, member, "Set")
    later, earlier = playable(team, 20), playable(team, 10)  # played in that order
    playlists.add(playlist, [later, earlier], member)
    link = sharing.create_link(playlist, member)

    assert sharing.shared_song(link, earlier.pk) == earlier
    assert sharing.shared_song(link, later.pk) == later
    for outside in (5, 15, 25):
        assert sharing.shared_song(link, uuid.UUID(int=outside)) is None


def test_every_expiry_the_form_offers_makes_a_link_that_lasts_that_long(team, member):
    song = playable(team, 2)
    offered = [value for value, _label in ShareLinkForm.base_fields["expires"].choices]
    assert offered == ["", "1", "7", "30"]
    for value in offered:
        days = int(value) if value else None
        before = timezone.now()
        link = sharing.create_link(song, member, days)
        if days is None:
            assert link.expires_at is None
        else:
            assert before + timedelta(days=days) <= link.expires_at
            assert link.expires_at <= timezone.now() + timedelta(days=days)


def test_a_link_is_made_or_turned_off_together_with_its_history_line_or_not_at_all(
    team, member, monkeypatch
):
    """The song's history says who shared it and who stopped it: never one without the other."""
    song = playable(team, 3)
    live = sharing.create_link(song, member)

    def broken(*args, **kwargs):
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(sharing.song_edits, "record", broken)
    with pytest.raises(RuntimeError):
        sharing.create_link(song, member)
    assert list(ShareLink.objects.filter(song=song)) == [live]
    with pytest.raises(RuntimeError):
        sharing.revoke(live, member)
    live.refresh_from_db()
    assert (live.revoked_at, live.revoked_by) == (None, None)
