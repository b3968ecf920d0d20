"""Recording a user's request: one row, one queue message after commit, one payment."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from music import upstream
from music.models import ACTIVE_TASK_STATES, ONCE_PER_SONG, ProviderAccount, Task, TaskState
from music.services.tasks import events, timing

DEFAULT = object()


def start_task(*, team, user, action, params, source_song=None, request_key="", account=DEFAULT):
    """Record a user's request and queue it for sending once the transaction commits.

    A repeated `request_key` (the same form posted twice) returns the first task instead of
    paying for a second one, and so does a second click on a once-per-song action (concat,
    stems, timing, WAV, MP4) while the first is still active: a partial unique index makes
    that hold when two members click at the same moment.
    """
    existing = find_existing(team, request_key, source_song, action)
    if existing:
        return existing
    if account is DEFAULT:
        # Work on a song goes where the song was made: its clip ids only exist there.
        account = source_song.account if source_song else default_account(team)
    now = timezone.now()
    try:
        with transaction.atomic():
            task = Task.objects.create(
                team=team,
                created_by=user,
                action=action,
                params=params,
                provider=upstream.provider_name(account),
                account=account,
                source_song=source_song,
                request_key=request_key,
                created_at=now,
                deadline_at=now + timing.deadline(),
            )
            events.record(task.pk, TaskState.QUEUED)
            transaction.on_commit(lambda: enqueue_submit(task.pk))
    except IntegrityError:
        # The same form, or the same once-per-song action, at the same moment: the other
        # request created the task.
        existing = find_existing(team, request_key, source_song, action)
        if existing is None:
            raise
        return existing
    return task


def find_existing(team, request_key, source_song, action):
    if request_key:
        task = Task.objects.filter(team=team, request_key=request_key).first()
        if task:
            return task
    if source_song is not None and action in ONCE_PER_SONG:
        return Task.objects.filter(
            source_song=source_song, action=action, state__in=ACTIVE_TASK_STATES
        ).first()
    return None


def default_account(team):
    """The account the team chose as its default; None means the operator's built-in
    provider (also while the team's accounts are none of them the default)."""
    return ProviderAccount.objects.filter(team=team, is_default=True).first()


def enqueue_submit(task_id):
    from django_q.tasks import async_task

    async_task(
        "music.tasks.submit_task", str(task_id), task_name=f"submit-{task_id}", group="submit"
    )
