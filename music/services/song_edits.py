"""What members change on a song after it is made (title, notes), each change recorded."""

from django.db import transaction
from django.utils import timezone

from music.models import Song, SongEvent, SongEventKind

# Copied onto the song with each event: its card's "who did what" line.
LAST_EVENT_FIELDS = ["last_event_kind", "last_event_by", "last_event_at"]


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
        now = timezone.now()
        # A rename says more about the song than its notes: the card shows it.
        _remember(song, user, changes[0][0], now)
        song.save(update_fields=["title", "notes", "updated_at", *LAST_EVENT_FIELDS])
        SongEvent.objects.bulk_create(
            SongEvent(song=song, actor=user, kind=kind, detail=detail, at=now)
            for kind, detail in changes
        )
    return [kind for kind, _ in changes]


def record(song, user, kind, detail=""):
    """Record an event and make it the song's latest (one UPDATE of three columns)."""
    event = SongEvent.objects.create(song=song, actor=user, kind=kind, detail=detail[:200])
    _remember(song, user, kind, event.at)
    Song.objects.filter(pk=song.pk).update(
        **{name: getattr(song, name) for name in LAST_EVENT_FIELDS}
    )
    return event


def _remember(song, user, kind, at):
    song.last_event_kind = kind
    song.last_event_by = user.get_username() if user is not None else ""
    song.last_event_at = at


def history(song):
    """The song's recorded changes, newest first, with who made them."""
    return list(song.events.select_related("actor").order_by("-at", "-id")[:50])
