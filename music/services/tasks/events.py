"""Every state change of a task is recorded: users see the story, admins the audit."""

from music.models import TaskEvent
from music.reasons import Reason


def record(task_id, state, code="", note=""):
    """`note` may be a Reason: kept untranslated, and read in each reader's language."""
    reason = note.as_json() if isinstance(note, Reason) else None
    text = note.english() if isinstance(note, Reason) else note
    TaskEvent.objects.create(
        task_id=task_id, state=state, code=(code or "")[:50], note=text, reason=reason
    )
