"""Share links and playlists."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from music.models.songs import Song
from music.models.teams import Team


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
