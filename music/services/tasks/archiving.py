"""Copying a finished clip's media into our storage: one queue job per clip, off the poll path.

The song row is the truth. A clip the provider finished is `saving` until its audio is
stored, with `archive_due_at` saying when the work is next due: the job's lease while it is
queued or under way, the back-off after a failed download. `archive` is idempotent and safe
to run twice or at once for the same clip (the last step re-checks the row under a lock);
`dispatch_due` (the poller every second, the minute's sweep) sends the job again for rows
that are due, so a worker killed between the enqueue and the download loses nothing.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from music import upstream
from music.models import Song, SongState
from music.services import media
from music.services.tasks import timing
from music.upstream.base import Clip, ClipState, UpstreamError

log = logging.getLogger(__name__)


def enqueue(song_ids):
    """One queue job per clip; call it once the rows saying `saving` have committed."""
    from django_q.tasks import async_task

    for pk in song_ids:
        async_task("music.tasks.archive_song", str(pk), task_name=f"archive-{pk}", group="archive")


def dispatch_due(now=None, limit=200):
    """Send the archive job again for saving songs whose work is due (after a back-off, or
    whose job died); each re-send is claimed, so two pollers send it once. Returns how many."""
    now = now or timezone.now()
    due = list(
        Song.objects.filter(state=SongState.SAVING)
        .filter(Q(archive_due_at__isnull=True) | Q(archive_due_at__lte=now))
        .order_by("archive_due_at")
        .values_list("pk", "archive_due_at")[:limit]
    )
    sent = []
    for pk, due_at in due:
        claimed = Song.objects.filter(pk=pk, state=SongState.SAVING, archive_due_at=due_at)
        if claimed.update(archive_due_at=now + timing.ARCHIVE_QUEUE_LEASE):
            sent.append(pk)
    enqueue(sent)
    return len(sent)


def next_due():
    """When the earliest saving song's archive work is due, or None."""
    return (
        Song.objects.filter(state=SongState.SAVING)
        .order_by("archive_due_at")
        .values_list("archive_due_at", flat=True)
        .first()
    )


def fresh_link(song):
    """A new link to the clip's MP3 (`/suno/mp3`) when the one we have has expired, or ""
    when the format has no way to ask or the provider would not make one."""
    try:
        return upstream.get_provider(song.account).fresh_mp3(song.upstream_id).file_url
    except UpstreamError as exc:
        log.info("no fresh link for song %s: %s", song.pk, exc)
        return ""


def archive(song_id):
    """Download one saving clip's audio (and cover) and store it; safe to repeat."""
    now = timezone.now()
    # The lease covers the download: past it, the job died and is sent again.
    if not Song.objects.filter(pk=song_id, state=SongState.SAVING).update(
        archive_due_at=now + timing.archive_work_lease()
    ):
        return "not saving"
    song = (
        Song.objects.select_related("account")
        .only("upstream_id", "audio_url", "image_url", "created_at", "account")
        .get(pk=song_id)
    )
    clip = Clip(
        id=song.upstream_id,
        state=ClipState.SUCCEEDED,
        audio_url=song.audio_url,
        image_url=song.image_url,
    )
    fetched = media.fetch_clip_media(clip, song.account)
    fresh = fresh_link(song) if not fetched.ok and fetched.expired else ""
    if fresh:
        clip.audio_url = fresh
        fetched = media.fetch_clip_media(clip, song.account)
    gave_up = now - song.created_at > timing.late_grace() + timing.deadline()
    with transaction.atomic():
        song = Song.objects.select_for_update().get(pk=song_id)
        if song.state != SongState.SAVING:
            return "done elsewhere"  # a concurrent run stored it first
        if fresh:
            song.audio_url = fresh  # the next try (and the player's fallback) starts there
        if fetched.ok:
            fetched.attach(song)
            song.state = SongState.SUCCEEDED
            song.archive_error = ""
            song.archive_due_at = None
            outcome = "stored"
        elif fetched.retry and not gave_up:
            song.archive_attempts += 1
            song.archive_error = fetched.error[:300]
            song.archive_due_at = now + timing.archive_backoff(song.archive_attempts)
            outcome = "retry"
        else:
            # Refused (not an allowed host, not media), or a day of failed tries: the song is
            # made, so it stays in the library, saying why its file is missing.
            song.state = SongState.SUCCEEDED
            song.archive_error = (
                fetched.error
                if not fetched.retry
                else _("The provider's file could not be copied: %(reason)s")
                % {"reason": fetched.error}
            )[:300]
            song.archive_due_at = None
            outcome = "refused"
        song.save()
    if outcome == "retry":
        log.info("archive of song %s failed (%s); trying again later", song_id, fetched.error)
    return outcome
