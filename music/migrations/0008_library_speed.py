"""Cheap live pages and an indexed search (issue #12): see music/activity_triggers.py."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from music import activity_triggers


def forward(apps, schema_editor):
    activity_triggers.install(schema_editor.connection)


def backward(apps, schema_editor):
    activity_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("music", "0007_account_capabilities_lost_tasks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamActivity",
            fields=[
                (
                    "team",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="music.team",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
                ("songs", models.BigIntegerField(default=0)),
                ("tasks", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name="song",
            name="song_team_recent",
        ),
        migrations.RemoveIndex(
            model_name="song",
            name="song_team_state",
        ),
        migrations.AddIndex(
            model_name="song",
            index=models.Index(fields=["team", "-created_at", "id"], name="song_team_newest"),
        ),
        migrations.AddIndex(
            model_name="song",
            index=models.Index(fields=["team", "state", "-created_at"], name="song_team_state_new"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(
                    ("state__in", ["queued", "submitting", "unconfirmed", "submitted", "running"])
                ),
                fields=["team", "-created_at"],
                name="task_team_active",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
