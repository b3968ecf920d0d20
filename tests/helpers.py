import time

from django.db import OperationalError
from django.utils import timezone

from music.models import Song, Task
from music.services import tasks


def finish_all_tasks():
    """Run a poll tick so the simulator's finished jobs are applied (they finish at once)."""
    for attempt in range(5):
        try:
            Task.objects.update(next_poll_at=timezone.now())
            tasks.poll_due()
            return
        except OperationalError as exc:
            # Browser tests share an in-memory SQLite database (shared cache) with the live
            # server, whose pages poll every second: a write meeting a read there fails at
            # once ("table is locked") instead of waiting. A tick is safe to run again.
            if "locked" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.2)


def make_song(team, user, *, is_pro=False, lyric="", **params):
    """Generate a song through the real path (queue, client, simulator) and return clip 1."""
    base = {"action": "generate", "model": "chirp-v4", "is_pro": is_pro}
    if lyric:
        base.update(custom=True, lyric=lyric, style=params.pop("style", "pop"))
    else:
        base["prompt"] = params.pop("prompt", "an upbeat test song")
    base.update(params)
    task = tasks.start_task(team=team, user=user, action="generate", params=base)
    tasks.submit(task.pk)
    finish_all_tasks()
    return Song.objects.filter(task=task).order_by("created_at").first()


def run_queued():
    """Send every queued task (what a worker does), then apply finished jobs."""
    for pk in Task.objects.filter(state="queued").values_list("pk", flat=True):
        tasks.submit(pk)
    finish_all_tasks()
