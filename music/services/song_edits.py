"""What members change on a song after it is made (title, notes), each change recorded."""

from django.db import transaction

from music.models import SongEvent, SongEventKind


@transaction.atomic
def edit(song, user, *, title, notes):
    """Save a new title and notes; returns the kinds of change made (none when nothing
    changed)."""
    changes = []
    if title != song.title:
        changes.append((SongEventKind.RENAMED, f"{song.title} → {title}"[:200]))
        song.title = title
    if notes != song.notes:
        changes.append((SongEventKind.NOTES, ""))
        song.notes = notes
    if changes:
        song.save(update_fields=["title", "notes", "updated_at"])
        SongEvent.objects.bulk_create(
            SongEvent(song=song, actor=user, kind=kind, detail=detail) for kind, detail in changes
        )
    return [kind for kind, _ in changes]


def record(song, user, kind, detail=""):
    return SongEvent.objects.create(song=song, actor=user, kind=kind, detail=detail[:200])


def history(song):
    """The song's recorded changes, newest first, with who made them."""
    return list(song.events.select_related("actor").order_by("-at", "-id")[:50])
