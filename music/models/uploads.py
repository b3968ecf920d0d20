"""Members' own audio files, lent to providers."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from music.models.teams import Team


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
