from django.utils import timezone

from music.models import Task
from music.services import tasks


def finish_all_tasks():
    """Run poll ticks until the simulator's jobs are applied (they finish at once in tests)."""
    Task.objects.update(next_poll_at=timezone.now())
    tasks.poll_due()
