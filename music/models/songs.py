"""Songs and what hangs off them: personas, lyric timing, history, favourites."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from music.models.tasks import Task
from music.models.teams import ProviderAccount, Team


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
    REMASTERED = "remastered", _("Remastered from")
    SPEED_CHANGED = "speed_changed", _("Speed changed from")
    SAMPLED = "sampled", _("Sampled from")
    INSTRUMENTAL_ADDED = "underpainted", _("Instrumental added to")
    VOCALS_ADDED = "overpainted", _("Vocals added to")
    ALL_STEMS = "all_stems", _("12 stems of")
    STEM_ADDED = "stem_added", _("Stem added to")
    STEM_EXTRACTED = "stem_extracted", _("Stem extracted from")
    # Made from two songs (`other_parent` is the second) or from 1-4 reference songs.
    MASHUP = "mashup", _("Mashup of")
    INSPIRED = "inspired", _("Inspired by")
    PERSONA_V2 = "persona_v2", _("Persona v2 from")


class PersonaKind(models.TextChoices):
    PERSONA = "persona", _("Persona")
    VOX = "vox", _("Persona v2 (from a vocal range)")
    VOICE = "voice", _("Voice (from a recording)")


class SongEventKind(models.TextChoices):
    RENAMED = "renamed", _("renamed")
    NOTES = "notes", _("changed the notes")
    SHARED = "shared", _("shared")
    UNSHARED = "unshared", _("turned off a share link")
    TRASHED = "trashed", _("moved to the trash")
    RESTORED = "restored", _("restored from the trash")


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
    # A mashup's second song: the mashup is a child of both, and shows in both trees.
    other_parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="other_children",
        verbose_name=_("also made from"),
        db_index=False,  # song_mashup_second: only mashups are in it
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
    # Which part of its parent a stem is ("bass", "without:bass"; music.services.stems).
    stem_type = models.CharField(_("stem"), max_length=40, blank=True)
    wav_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    video_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
    midi_file = models.FileField(upload_to=song_media_path, blank=True, max_length=300)
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
    # Its place among the clips its job made, in the provider's order (1 = take A); 0 when
    # the job made this one clip. services/naming.py turns it into the title line's letter.
    take = models.PositiveSmallIntegerField(_("take"), default=0)
    # The latest SongEvent, copied here when it is recorded (services/song_edits.py), so a
    # library card says who last did what without a query per card. The name is the one the
    # member had then, as in the history's own details.
    last_event_kind = models.CharField(max_length=20, choices=SongEventKind, blank=True)
    last_event_by = models.CharField(max_length=150, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
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
            # A family's mashups by their second song. Partial: an index of every song's
            # NULL told SQLite's planner a lookup meets the whole table, and it scanned.
            models.Index(
                fields=["other_parent"],
                condition=Q(other_parent__isnull=False),
                name="song_mashup_second",
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
    # None for a voice from a recording, or a persona found at the provider (its clip is
    # `source_audio_id`, on `account`).
    source_song = models.ForeignKey(
        Song,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personas",
        verbose_name=_("voice from"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=PersonaKind, default=PersonaKind.PERSONA
    )
    source_audio_id = models.CharField(_("upstream audio id"), max_length=100, blank=True)
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personas",
        verbose_name=_("provider account"),
    )
    gone_upstream_at = models.DateTimeField(_("deleted at the provider"), null=True, blank=True)
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

    @property
    def voice_account(self):
        """The account that keeps this voice: a persona sings only there."""
        return self.source_song.account if self.source_song_id else self.account

    @property
    def voice_audio_id(self):
        return self.source_song.upstream_id if self.source_song_id else self.source_audio_id


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
