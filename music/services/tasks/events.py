"""Every state change of a task is recorded: users see the story, admins the audit."""

from music.models import TaskEvent


def record(task_id, state, code="", note=""):
    TaskEvent.objects.create(task_id=task_id, state=state, code=(code or "")[:50], note=note)
