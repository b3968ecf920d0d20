"""The trash: songs out of the library until a member restores them, an owner empties the
trash, or STUDIO_TRASH_DAYS pass (their files go with them: file_cleanup's post_delete)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from music.models import Song, SongEventKind
from music.services import song_edits


class CannotTrash(Exception):
    pass


@transaction.atomic
def trash(song, user):
    if song.is_active:
        raise CannotTrash(song)
    if song.trashed_at is None:
        song.trashed_at, song.trashed_by = timezone.now(), user
        song.save(update_fields=["trashed_at", "trashed_by", "updated_at"])
        song_edits.record(song, user, SongEventKind.TRASHED)
    return song


@transaction.atomic
def restore(song, user):
    if song.trashed_at is not None:
        song.trashed_at, song.trashed_by = None, None
        song.save(update_fields=["trashed_at", "trashed_by", "updated_at"])
        song_edits.record(song, user, SongEventKind.RESTORED)
    return song


def trashed_songs(team):
    """The team's songs in the trash, the most recently trashed first."""
    return (
        Song.objects.filter(team=team, trashed_at__isnull=False)
        .select_related("author", "trashed_by")
        .order_by("-trashed_at", "id")
    )


def empty(team):
    """Delete every song in the team's trash, files and all; returns how many."""
    return _delete(Song.objects.filter(team=team, trashed_at__isnull=False))


def purge_expired(now=None):
    """Delete songs that have been in the trash longer than STUDIO_TRASH_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.STUDIO_TRASH_DAYS)
    return _delete(Song.objects.filter(trashed_at__lt=cutoff))


def _delete(songs):
    # One by one, so each song's post_delete removes its files (a bulk delete sends the
    # signal too, but loads every row at once).
    count = 0
    for song in songs.iterator():
        song.delete()
        count += 1
    return count
