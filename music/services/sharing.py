"""Public links to one song or one playlist: made and revoked by members, opened by anyone
with the token."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from music.models import Playlist, ShareLink, SongEventKind
from music.services import song_edits

# What the "expires" choice offers, in days (None: until revoked).
EXPIRY_DAYS = (None, 1, 7, 30)


@transaction.atomic
def create_link(target, user, days=None):
    """A new live link to `target`, a playable song (see `can_share`) or a playlist."""
    if days not in EXPIRY_DAYS:
        raise ValueError(f"unsupported expiry: {days!r}")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    is_playlist = isinstance(target, Playlist)
    link = ShareLink.objects.create(
        team=target.team,
        song=None if is_playlist else target,
        playlist=target if is_playlist else None,
        created_by=user,
        expires_at=expires_at,
    )
    if not is_playlist:
        song_edits.record(target, user, SongEventKind.SHARED)
    return link


@transaction.atomic
def revoke(link, user):
    """Kill the token; the row stays as a record. Revoking twice changes nothing."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
        if link.song_id:
            song_edits.record(link.song, user, SongEventKind.UNSHARED)
    return link


def can_share(song):
    return song.is_ready and bool(song.audio_file) and song.trashed_at is None


def links_of(target):
    """The target's links, newest first, with who made and turned them off."""
    return list(
        target.share_links.select_related("created_by", "revoked_by").order_by("-created_at")
    )


def get_team_link(team, target, link_id):
    return target.share_links.filter(team=team, pk=link_id).first()


def open_link(token):
    """The live link with this token, or None: unknown, revoked, expired, or a song no
    longer playable all look the same from outside."""
    if not token or len(token) > 64:
        return None
    link = (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("song", "playlist")
        .first()
    )
    if link is None or not link.is_live():
        return None
    if link.song_id and not can_share(link.song):
        return None
    return link


def playlist_songs(link):
    """The playable songs of a shared playlist, in its order."""
    items = (
        link.playlist.items.filter(song__trashed_at__isnull=True)
        .select_related("song")
        .order_by("position", "id")
    )
    return [item.song for item in items if can_share(item.song)]


def shared_song(link, song_id):
    """One song a link opens: its own, or one of its playlist's; None otherwise."""
    if link.song_id:
        return link.song if link.song_id == song_id else None
    return next((s for s in playlist_songs(link) if s.pk == song_id), None)
