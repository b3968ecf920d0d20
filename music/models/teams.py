"""Teams, their members and roles, their provider accounts, and their change counter."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
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
