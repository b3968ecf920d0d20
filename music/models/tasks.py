"""Upstream tasks: what was asked of a provider, its states and its history."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from music.models.teams import ProviderAccount, Team


class Action(models.TextChoices):
    GENERATE = "generate", _("Generate")
    EXTEND = "extend", _("Extend")
    UPLOAD_GENERATE = "upload_generate", _("Generate from upload")
    UPLOAD_EXTEND = "upload_extend", _("Extend upload")
    CONCAT = "concat", _("Get whole song")
    COVER = "cover", _("Cover")
    REPLACE_SECTION = "replace_section", _("Replace section")
    STEMS = "stems", _("Stems")
    ARTIST_CONSISTENCY = "artist_consistency", _("Persona song")
    UPLOAD = "upload", _("Upload")
    PERSONA = "persona", _("Make persona")
    TIMING = "timing", _("Lyric timing")
    WAV = "wav", _("WAV export")
    MP4 = "mp4", _("MP4 export")
    # Reworking a song's own audio (issue #15).
    REMASTER = "remaster", _("Remaster")
    ADJUST_SPEED = "adjust_speed", _("Change speed")
    SAMPLES = "samples", _("Sample")
    # A layer added in a window, and the cover of an uploaded song (issue #15).
    UNDERPAINTING = "underpainting", _("Add instrumental")
    OVERPAINTING = "overpainting", _("Add vocals")
    UPLOAD_COVER = "upload_cover", _("Cover upload")
    # Stems: all twelve, one instrument added, one isolated (issue #15).
    ALL_STEMS = "all_stems", _("12 stems")
    ADD_STEM = "add_stem", _("Add a stem")
    EXTRACT_STEM = "extract_stem", _("Extract a stem")
    # New songs from other songs (issue #15).
    MASHUP = "mashup", _("Mashup")
    INSPO = "inspo", _("Inspo")
    # Voices and side files (issue #15).
    MIDI = "midi", _("MIDI export")
    VOX = "vox", _("Isolate vocals")
    PERSONA_VOX = "persona_vox", _("Make persona v2")
    ARTIST_CONSISTENCY_VOX = "artist_consistency_vox", _("Persona v2 song")
    VOICE = "voice", _("Make voice")


# Actions answered synchronously by their own endpoints rather than as a generation job.
SIDE_ACTIONS = {
    Action.UPLOAD,
    Action.PERSONA,
    Action.TIMING,
    Action.WAV,
    Action.MP4,
    Action.MIDI,
    Action.VOX,
    Action.PERSONA_VOX,
    Action.VOICE,
}
# Actions where a second request for the same song only costs money: while one is active,
# another click lands on it (a partial unique index, not a check-then-insert).
ONCE_PER_SONG = [
    Action.CONCAT,
    Action.STEMS,
    Action.ALL_STEMS,
    Action.TIMING,
    Action.WAV,
    Action.MP4,
    Action.MIDI,
]


class TaskState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUBMITTING = "submitting", _("Sending")
    # The request may have reached the provider (a time-out, a 5xx, a garbled answer, a
    # worker that died mid-send): never sent again, reconciled until confirmed or expired.
    UNCONFIRMED = "unconfirmed", _("Sent; waiting for the provider to confirm")
    SUBMITTED = "submitted", _("Waiting")
    RUNNING = "running", _("Making")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


# States move forward only; a state's rank tells whether a change is a step forward. The one
# way back out of `failed` is a late result (see `Task.late_until`).
TASK_STATE_RANK = {
    TaskState.QUEUED: 0,
    TaskState.SUBMITTING: 1,
    TaskState.UNCONFIRMED: 2,
    TaskState.SUBMITTED: 2,
    TaskState.RUNNING: 3,
    TaskState.SUCCEEDED: 4,
    TaskState.FAILED: 4,
}
ACTIVE_TASK_STATES = [
    TaskState.QUEUED,
    TaskState.SUBMITTING,
    TaskState.UNCONFIRMED,
    TaskState.SUBMITTED,
    TaskState.RUNNING,
]
POLLED_TASK_STATES = [TaskState.SUBMITTED, TaskState.RUNNING]
TERMINAL_TASK_STATES = [TaskState.SUCCEEDED, TaskState.FAILED]


class Task(models.Model):
    """One paid request to the upstream and everything we learn about it.

    The row is the source of truth, not the queue: it is written before anything is sent,
    moves to `submitting` (committed) before the POST, and never goes back.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tasks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="tasks"
    )
    action = models.CharField(_("action"), max_length=24, choices=Action, default=Action.GENERATE)
    state = models.CharField(_("state"), max_length=12, choices=TaskState, default=TaskState.QUEUED)
    provider = models.CharField(_("provider"), max_length=20, default="sunohub")
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("provider account"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    request_payload = models.JSONField(_("request sent"), null=True, blank=True)
    response = models.JSONField(_("last upstream answer"), null=True, blank=True)
    upstream_id = models.CharField(_("upstream task id"), max_length=100, blank=True)
    # Set by the form that asked: a second POST of the same form finds the first task
    # instead of paying for another.
    request_key = models.CharField(max_length=64, blank=True, editable=False)
    source_song = models.ForeignKey(
        "Song",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="child_tasks",
        verbose_name=_("source song"),
    )
    callback_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    # The reason in English, for the admin and searches; readers see `error_reason`
    # (music.reasons) rendered in their own language.
    error_message = models.TextField(_("error"), blank=True)
    error_reason = models.JSONField(null=True, blank=True, editable=False)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    polls = models.PositiveIntegerField(_("checks"), default=0)
    # Consecutive checks the provider answered without this job, and since when: a job it
    # has lost is failed after a few, instead of waiting for the deadline.
    missing_polls = models.PositiveSmallIntegerField(default=0, editable=False)
    missing_since = models.DateTimeField(null=True, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # A task failed for want of an answer (deadline, no trace) is still watched until then:
    # the money may have been spent, so a late result still brings its songs in.
    late_until = models.DateTimeField(_("still watched until"), null=True, blank=True)
    callback_at = models.DateTimeField(_("last callback"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["team", "-created_at"], name="task_team_recent"),
            models.Index(fields=["state", "next_poll_at"], name="task_due"),
            # The library's placeholders and the tasks page's "In progress": a team's active
            # tasks, newest first, without reading the rest. Queries match its condition
            # literally (services.library.ACTIVE), as SQLite needs to use a partial index.
            models.Index(
                fields=["team", "-created_at"],
                condition=Q(state__in=ACTIVE_TASK_STATES),
                name="task_team_active",
            ),
            # The library's failure cards: a team's failed tasks, newest first (queries
            # repeat the condition literally: services.library.FAILED). It covers the
            # search for failures that made no song (action, and the id the song index is
            # probed with), so a team whose failures left failed songs reads no task row.
            models.Index(
                fields=["team", "-created_at", "action", "id"],
                condition=Q(state="failed"),
                name="task_team_failures",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "upstream_id"],
                condition=~Q(upstream_id=""),
                name="unique_upstream_task",
            ),
            models.CheckConstraint(
                condition=~Q(state="submitted") | ~Q(upstream_id=""),
                name="submitted_task_has_upstream_id",
            ),
            models.UniqueConstraint(
                fields=["team", "request_key"],
                condition=~Q(request_key=""),
                name="one_task_per_form_post",
            ),
            models.UniqueConstraint(
                fields=["source_song", "action"],
                condition=Q(state__in=ACTIVE_TASK_STATES, action__in=ONCE_PER_SONG),
                name="one_active_task_per_song_action",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.get_state_display()} · {self.id.hex[:8]}"

    @property
    def is_active(self):
        return self.state in ACTIVE_TASK_STATES

    @property
    def is_watched_late(self):
        """Failed for want of an answer, but a late result may still land."""
        return (
            self.state == TaskState.FAILED
            and self.late_until is not None
            and self.late_until > timezone.now()
        )

    @property
    def error(self):
        """The failure (or the note of a task in flight) in the reader's language."""
        from music.reasons import Shown

        return Shown(self.error_reason, self.error_message)

    @property
    def summary(self):
        """A short human description of what was asked."""
        p = self.params
        return p.get("title") or p.get("prompt") or p.get("style") or self.get_action_display()


class TaskEvent(models.Model):
    """One step in a task's life, kept for the user, the admin and the audit."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    state = models.CharField(_("state"), max_length=12, choices=TaskState)
    code = models.CharField(_("code"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    reason = models.JSONField(null=True, blank=True, editable=False)  # `note`, untranslated

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        indexes = [models.Index(fields=["task", "at"], name="taskevent_task_at")]

    def __str__(self):
        return f"{self.task_id} → {self.state} {self.code}".strip()

    @property
    def note_text(self):
        from music.reasons import Shown

        return str(Shown(self.reason, self.note))


class PollLease(models.Model):
    """Who is polling a provider account now: one poll pass per account at a time, across
    processes and machines (taken with a conditional UPDATE, see tasks.leases)."""

    key = models.CharField(max_length=64, primary_key=True)  # account id, or "builtin"
    holder = models.CharField(max_length=100, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("poll lease")
        verbose_name_plural = _("poll leases")

    def __str__(self):
        return f"{self.key} → {self.holder}"
