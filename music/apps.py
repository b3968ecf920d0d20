from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_schedule(sender, **kwargs):
    """Keep exactly one schedule for the poll tick, whatever database we run on."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="studio-tick",
        defaults={
            "func": "music.tasks.tick",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


def ensure_activity_triggers(sender, using, **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds it: put them back."""
    from django.db import connections

    from music import activity_triggers

    activity_triggers.ensure(connections[using])


class MusicConfig(AppConfig):
    name = "music"
    verbose_name = _("Music studio")

    def ready(self):
        post_migrate.connect(ensure_schedule, sender=self)
        post_migrate.connect(ensure_activity_triggers, sender=self)

        # Stored files follow their rows (removed once the delete commits).
        from music.services import file_cleanup

        post_delete.connect(
            file_cleanup.song_deleted, sender="music.Song", dispatch_uid="song-files"
        )
        post_delete.connect(
            file_cleanup.team_deleted, sender="music.Team", dispatch_uid="team-files"
        )
