"""Songs say which take of their job they are and who last did what to them (issue #14)."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery

from music import activity_triggers

BATCH = 2000


def drop_triggers(apps, schema_editor):
    activity_triggers.uninstall(schema_editor.connection)


def make_triggers(apps, schema_editor):
    activity_triggers.install(schema_editor.connection)


def fill(apps, schema_editor):
    """Takes by the order the studio kept the job's clips in (created_at: the job's time plus
    the clip's place in the provider's list; id breaks older ties); the latest event of each
    song that has one."""
    Song = apps.get_model("music", "Song")
    SongEvent = apps.get_model("music", "SongEvent")
    several = (
        Song.objects.values("task_id")
        .filter(task_id__isnull=False)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("task_id", flat=True)
    )
    changed, last_task, take = [], None, 0
    rows = (
        Song.objects.filter(task_id__in=list(several))
        .order_by("task_id", "created_at", "id")
        .only("id", "task_id")
    )
    for song in rows.iterator(chunk_size=BATCH):
        take = take + 1 if song.task_id == last_task else 1
        last_task, song.take = song.task_id, take
        changed.append(song)
        if len(changed) >= BATCH:
            Song.objects.bulk_update(changed, ["take"])
            changed = []
    Song.objects.bulk_update(changed, ["take"])

    latest = SongEvent.objects.filter(song=OuterRef("pk")).order_by("-at", "-id")
    songs = Song.objects.filter(events__isnull=False).distinct().annotate(
        event_kind=Subquery(latest.values("kind")[:1]),
        event_by=Subquery(latest.values("actor__username")[:1]),
        event_at=Subquery(latest.values("at")[:1]),
    )
    changed = []
    for song in songs.only("id").iterator(chunk_size=BATCH):
        song.last_event_kind = song.event_kind
        song.last_event_by = song.event_by or ""
        song.last_event_at = song.event_at
        changed.append(song)
    Song.objects.bulk_update(
        changed, ["last_event_kind", "last_event_by", "last_event_at"], batch_size=BATCH
    )


class Migration(migrations.Migration):
    dependencies = [
        ("music", "0020_newer_models"),
    ]

    operations = [
        # Triggers off while the columns come and the rows are filled (see 0013), then back,
        # watching the new columns.
        migrations.RunPython(drop_triggers, make_triggers),
        migrations.AddField(
            model_name="song",
            name="take",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="take"),
        ),
        migrations.AddField(
            model_name="song",
            name="last_event_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("renamed", "renamed"),
                    ("notes", "changed the notes"),
                    ("shared", "shared"),
                    ("unshared", "turned off a share link"),
                    ("trashed", "moved to the trash"),
                    ("restored", "restored from the trash"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="song",
            name="last_event_by",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="song",
            name="last_event_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(make_triggers, drop_triggers),
    ]
