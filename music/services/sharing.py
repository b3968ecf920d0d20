"""Public links to one song: made and revoked by members, opened by anyone with the token."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from music.models import ShareLink, SongEventKind
from music.services import song_edits

# What the "expires" choice offers, in days (None: until revoked).
EXPIRY_DAYS = (None, 1, 7, 30)


@transaction.atomic
def create_link(song, user, days=None):
    """A new live link to `song` (a song that can be played: ready, with its audio)."""
    if days not in EXPIRY_DAYS:
        raise ValueError(f"unsupported expiry: {days!r}")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    link = ShareLink.objects.create(
        team=song.team, song=song, created_by=user, expires_at=expires_at
    )
    song_edits.record(song, user, SongEventKind.SHARED)
    return link


@transaction.atomic
def revoke(link, user):
    """Kill the token; the row stays as a record. Revoking twice changes nothing."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
        song_edits.record(link.song, user, SongEventKind.UNSHARED)
    return link


def can_share(song):
    return song.is_ready and bool(song.audio_file) and song.trashed_at is None


def song_links(song):
    """The song's links, newest first, with who made them (for its page)."""
    return list(
        ShareLink.objects.filter(song=song)
        .select_related("created_by", "revoked_by")
        .order_by("-created_at")
    )


def get_team_link(team, song, link_id):
    return ShareLink.objects.filter(team=team, song=song, pk=link_id).first()


def open_link(token):
    """The live link with this token and its song, or None: unknown, revoked, expired, or
    the song is no longer playable all look the same from outside."""
    if not token or len(token) > 64:
        return None
    link = (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("song")
        .first()
    )
    if link is None or not link.is_live() or not can_share(link.song):
        return None
    return link
