"""The studio's data: teams and their members, upstream tasks, and the songs they yield."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from music import catalogue


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    default_model = models.CharField(
        _("default model"),
        max_length=40,
        choices=catalogue.MODEL_CHOICES,
        default=catalogue.DEFAULT_MODEL,
    )
    auto_concat = models.BooleanField(
        _("join replaced sections automatically"),
        default=False,
        help_text=_("After a section is replaced, get the whole song without a second click."),
    )
    pro_pool = models.BooleanField(
        _("use the Pro pool by default"),
        default=False,
        help_text=_("The Pro pool costs more; stems, WAV, covers and personas need it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class ProviderFormat(models.TextChoices):
    SIMULATOR = "simulator", _("Built-in simulator")
    SUNOHUB = "sunohub", _("SunoHub / AceData (/suno/audios)")
    RELAY = "relay", _("Relay gateway (/suno/submit, new-api style)")


class ProviderAccount(models.Model):
    """Where a team buys its songs: a seller's API, in one of the wire formats."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(
        _("format"), max_length=12, choices=ProviderFormat, default=ProviderFormat.SUNOHUB
    )
    base_url = models.URLField(
        _("base URL"), blank=True, help_text=_("For example https://api.sunohub.cn")
    )
    api_key_encrypted = models.TextField(blank=True, editable=False)
    api_key_last4 = models.CharField(max_length=4, blank=True, editable=False)
    pro_pool = models.BooleanField(
        _("Pro pool available"),
        default=False,
        help_text=_("SunoHub's Pro pool: newer models, stems, WAV, covers and personas."),
    )
    media_hosts = models.CharField(
        _("allowed media hosts"),
        max_length=500,
        blank=True,
        help_text=_(
            "Extra hosts (comma separated) the studio may download finished songs "
            "from. The base URL's host and Suno's CDNs are always allowed."
        ),
    )
    default_model = models.CharField(
        _("default model"),
        max_length=40,
        choices=catalogue.MODEL_CHOICES,
        default=catalogue.DEFAULT_MODEL,
    )
    use_callbacks = models.BooleanField(
        _("use callbacks"),
        default=True,
        help_text=_(
            "Ask the provider to call the studio back when a song is done; polling "
            "is the fallback either way."
        ),
    )
    fetch_batch_limit = models.PositiveIntegerField(
        _("tasks per status request"),
        default=0,
        help_text=_("0 means all in-flight tasks in one request."),
    )
    # The actions this seller offers (music.services.capabilities names); None means the
    # defaults of the account's format. Owners edit it; "Test connection" refreshes it when
    # the provider's answer tells.
    capabilities = models.JSONField(
        _("what it offers"),
        null=True,
        blank=True,
        help_text=_("Sellers offer different subsets; the studio only offers what is ticked."),
    )
    is_default = models.BooleanField(_("team default"), default=False)
    # The last "Test connection" (also run on every save): None until tested. A job sent to
    # an account whose test failed is said to be queued, not on its way.
    last_test_ok = models.BooleanField(_("last connection test passed"), null=True, blank=True)
    last_tested_at = models.DateTimeField(_("last tested"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_account_name"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_default=True), name="one_default_account"
            ),
        ]

    def __str__(self):
        return self.name

    def set_api_key(self, raw):
        from music.crypto import encrypt

        raw = (raw or "").strip()
        self.api_key_encrypted = encrypt(raw)
        self.api_key_last4 = raw[-4:] if raw else ""

    @property
    def api_key(self):
        from music.crypto import decrypt

        return decrypt(self.api_key_encrypted)

    @property
    def has_pools(self):
        """SunoHub (and the simulator speaking it) sells a normal and a Pro pool; relays don't."""
        return self.format != ProviderFormat.RELAY

    @property
    def masked_key(self):
        return f"••••{self.api_key_last4}" if self.api_key_last4 else ""


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["team__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.team} ({self.get_role_display()})"

    @property
    def can_spend(self):
        """Viewers may listen and download; only owners and members may send paid work."""
        return self.role in (Role.OWNER, Role.MEMBER)


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


# Actions answered synchronously by their own endpoints rather than as a generation job.
SIDE_ACTIONS = {Action.UPLOAD, Action.PERSONA, Action.TIMING, Action.WAV, Action.MP4}
# Actions where a second request for the same song only costs money: while one is active,
# another click lands on it (a partial unique index, not a check-then-insert).
ONCE_PER_SONG = [Action.CONCAT, Action.STEMS, Action.TIMING, Action.WAV, Action.MP4]


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


class SongState(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Making")
    # The provider made it; its audio is being copied into the studio's storage by its own
    # queue job (music.services.tasks.archiving). Playable once `succeeded`.
    SAVING = "saving", _("Saving")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


SONG_STATE_RANK = {
    SongState.PENDING: 0,
    SongState.RUNNING: 1,
    SongState.SAVING: 2,
    SongState.SUCCEEDED: 3,
    SongState.FAILED: 3,
}
ACTIVE_SONG_STATES = [SongState.PENDING, SongState.RUNNING, SongState.SAVING]


class Relation(models.TextChoices):
    GENERATED = "generated", _("Generated")
    EXTENDED = "extended", _("Extended")
    CONCATENATED = "concatenated", _("Whole song")
    UPLOADED = "uploaded", _("Uploaded")
    COVERED = "covered", _("Cover")
    REPLACED = "replaced", _("Section replaced")
    STEM = "stem", _("Stem")
    PERSONA = "persona", _("Persona song")


def song_media_path(song, filename):
    return f"teams/{song.team_id}/songs/{song.id}/{filename}"


class Song(models.Model):
    """A clip the upstream made for a team, with its archived media."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="songs")
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="songs"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="songs",
        verbose_name=_("author"),
    )
    upstream_id = models.CharField(_("upstream clip id"), max_length=100)
    provider = models.CharField(_("provider"), max_length=20, default="sunohub")
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="songs",
        verbose_name=_("provider account"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=SongState, default=SongState.PENDING
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    prompt = models.TextField(_("prompt"), blank=True)
    lyric = models.TextField(_("lyrics"), blank=True)
    style = models.CharField(_("style"), max_length=1000, blank=True)
    model_name = models.CharField(_("model"), max_length=40, blank=True)
    instrumental = models.BooleanField(_("instrumental"), default=False)
    duration = models.FloatField(_("duration (s)"), null=True, blank=True)
    audio_url = models.URLField(_("upstream audio URL"), max_length=500, blank=True)
    image_url = models.URLField(_("upstream image URL"), max_length=500, blank=True)
    video_url = models.URLField(_("upstream video URL"), max_length=500, blank=True)
    audio_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    image_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    archive_error = models.CharField(_("archive error"), max_length=300, blank=True)
    # While `saving`: when the archive job is next due (a back-off after a failed download,
    # or the lease of a job under way; a job that died is re-sent once it has passed).
    archive_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    archive_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    error_message = models.TextField(_("error"), blank=True)
    error_reason = models.JSONField(null=True, blank=True, editable=False)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("made from"),
    )
    # The first song of the family: one query loads a whole family tree.
    root = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="descendants",
        verbose_name=_("family root"),
    )
    parts = models.JSONField(
        _("parts"),
        default=list,
        blank=True,
        help_text=_("For a whole song: the clips it joins, in order ({id, continue_at})."),
    )
    is_pro = models.BooleanField(_("made in the Pro pool"), default=False)
    wav_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    video_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    relation = models.CharField(
        _("relation"), max_length=16, choices=Relation, default=Relation.GENERATED
    )
    is_fragment = models.BooleanField(
        _("fragment"),
        default=False,
        help_text=_("An extension or replaced section that is not a whole song yet."),
    )
    raw = models.JSONField(_("upstream clip"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    # In the trash since (None: in the library). Emptied by owners, or after STUDIO_TRASH_DAYS.
    trashed_at = models.DateTimeField(_("in the trash since"), null=True, blank=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("song")
        verbose_name_plural = _("songs")
        indexes = [
            # The library's order (newest first, id breaks ties), read from the index.
            models.Index(fields=["team", "-created_at", "id"], name="song_team_newest"),
            models.Index(fields=["team", "state", "-created_at"], name="song_team_state_new"),
            # The trash page and its purge: only the few songs in the trash are in it.
            models.Index(
                fields=["team", "-trashed_at"],
                condition=Q(trashed_at__isnull=False),
                name="song_team_trash",
            ),
            models.Index(
                fields=["archive_due_at"],
                condition=Q(state="saving"),
                name="song_archive_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "upstream_id"], name="unique_upstream_clip"
            ),
        ]

    def __str__(self):
        return self.title or str(_("Untitled"))

    @property
    def is_ready(self):
        return self.state == SongState.SUCCEEDED

    @property
    def error(self):
        from music.reasons import Shown

        return Shown(self.error_reason, self.error_message)

    @property
    def family_root_id(self):
        return self.root_id or self.pk

    @property
    def is_active(self):
        return self.state in ACTIVE_SONG_STATES


class Persona(models.Model):
    """A voice made from one of the team's songs, to sing new songs with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    upstream_id = models.CharField(_("upstream persona id"), max_length=100)
    provider = models.CharField(_("provider"), max_length=20, default="sunohub")
    source_song = models.ForeignKey(
        Song, on_delete=models.PROTECT, related_name="personas", verbose_name=_("voice from")
    )
    task = models.OneToOneField(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="persona"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="personas"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "upstream_id"], name="unique_upstream_persona"
            ),
        ]

    def __str__(self):
        return self.name


class LyricTiming(models.Model):
    """When each lyric line is sung in a song, from the upstream's timing endpoint."""

    song = models.OneToOneField(Song, on_delete=models.CASCADE, related_name="timing")
    words = models.JSONField(_("aligned lines"), default=list)
    waveform = models.JSONField(_("waveform"), default=list)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        verbose_name = _("lyric timing")
        verbose_name_plural = _("lyric timings")

    def __str__(self):
        return f"{self.song} ({len(self.words)} lines)"


class TeamActivity(models.Model):
    """How often a team's songs and tasks changed, and how many there are.

    Written only by database triggers (migration 0008) on every insert, delete and visible
    update of a song or task, whoever writes it (save, queryset update, bulk_create, admin,
    raw SQL): live pages compare `version` with the one they were rendered at and answer
    "nothing changed" without rendering. Never saved from Python.
    """

    team = models.OneToOneField(
        Team,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a team's deletion leaves a harmless row, never a failed trigger
        related_name="+",
    )
    version = models.BigIntegerField(default=0)
    songs = models.BigIntegerField(default=0)
    tasks = models.BigIntegerField(default=0)
    # Written by raw INSERTs in triggers that predate it: the default lives in the database.
    trashed = models.BigIntegerField(default=0, db_default=0)

    def __str__(self):
        return f"{self.team_id}: v{self.version}"


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


def new_share_token():
    import secrets

    return secrets.token_urlsafe(24)  # 192 bits: unguessable, 32 characters


class ShareLink(models.Model):
    """A public, read-only link to one song or one playlist: anyone with it can listen to
    that, nothing more.

    Revoking keeps the row (who shared what, and when it stopped) and kills the token.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="share_links")
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    playlist = models.ForeignKey(
        "Playlist", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["song", "-created_at"], name="sharelink_song_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(song__isnull=False, playlist__isnull=True)
                | Q(song__isnull=True, playlist__isnull=False),
                name="sharelink_one_target",
            )
        ]

    def __str__(self):
        return f"{self.target} ({self.token[:6]}…)"

    @property
    def target(self):
        return self.song if self.song_id else self.playlist

    def is_live(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SongEventKind(models.TextChoices):
    RENAMED = "renamed", _("renamed")
    NOTES = "notes", _("changed the notes")
    SHARED = "shared", _("shared")
    UNSHARED = "unshared", _("turned off a share link")
    TRASHED = "trashed", _("moved to the trash")
    RESTORED = "restored", _("restored from the trash")


class SongEvent(models.Model):
    """Who did what to a song after it was made (its page shows the history)."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=SongEventKind)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("song event")
        verbose_name_plural = _("song events")
        indexes = [models.Index(fields=["song", "-at"], name="songevent_song_newest")]

    def __str__(self):
        return f"{self.song_id}: {self.kind} by {self.actor_id}"


class Favourite(models.Model):
    """A member's favourite song (each member has their own)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [
            models.UniqueConstraint(fields=["user", "song"], name="one_favourite_per_user_song")
        ]

    def __str__(self):
        return f"{self.user_id} ★ {self.song_id}"


class Playlist(models.Model):
    """A team's ordered list of songs, shared by all its members."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="playlists")
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("playlist")
        verbose_name_plural = _("playlists")
        ordering = ["name"]
        indexes = [models.Index(fields=["team", "name"], name="playlist_team_name")]

    def __str__(self):
        return self.name


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "song"], name="one_song_once_per_playlist")
        ]

    def __str__(self):
        return f"{self.playlist_id} #{self.position}: {self.song_id}"


def upload_media_path(upload, filename):
    # Under the team's folder: deleting the team deletes its uploads (file_cleanup).
    return f"teams/{upload.team_id}/uploads/{upload.id}{Path(filename).suffix.lower()}"


class AudioUpload(models.Model):
    """A member's own audio file, kept for the provider to fetch through a signed link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audio_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(upload_to=upload_media_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    duration = models.FloatField(_("duration (s)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        constraints = [
            models.CheckConstraint(condition=Q(duration__gt=0), name="upload_has_duration"),
        ]

    def __str__(self):
        return self.original_name
