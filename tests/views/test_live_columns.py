"""The live pages' change counter watches every column a page shows
(music/activity_triggers.py), and its triggers outlive the migrations that rebuild tables.

The triggers list the watched columns by name, so a column added later is invisible to open
tabs until someone decides: watch it (a migration that re-creates the triggers) or say here
why no page shows it.
"""

import pytest
from django.core.management import call_command
from django.db import connection

from music import activity_triggers as activity
from music.models import Song, Task
from tests.factories import SongFactory

# Bookkeeping no live region shows; a change to it must not wake every open tab.
# `error_reason` is shown, but is only ever written with `error_message` (its English
# text, music.reasons.stored), which the triggers watch.
NOT_SHOWN = {
    # The archive job's schedule; a song being saved shows through its state.
    # Notes, and who put a song in the trash: only the song and trash pages show them, rendered
    # afresh on every load (trashed_at, which the library filters on, is watched). A failure's
    # reason is written with the watched error_message, always. A mashup's second song is
    # set when the mashup's row is inserted (counted) and changes only when that song is
    # deleted (counted too). A stem's part is written with its title and state (watched), and
    # a MIDI file in the transaction that ends its task (the task's state is watched).
    Song: {
        "archive_attempts",
        "archive_due_at",
        "error_reason",
        "id",
        "midi_file",
        "notes",
        "other_parent_id",
        "provider",
        "raw",
        "stem_type",
        "trashed_by_id",
        "updated_at",
    },
    Task: {
        "account_id",
        "error_reason",
        "callback_at",
        "callback_token_hash",
        "deadline_at",
        "finished_at",
        "id",
        "missing_polls",
        "missing_since",
        "next_poll_at",
        "polls",
        "provider",
        "request_key",
        "request_payload",
        "response",
        "submit_attempts",
        "submitted_at",
        "updated_at",
        "upstream_id",
    },
}
WATCHED = {Song: set(activity.SONG_COLUMNS), Task: set(activity.TASK_COLUMNS)}


@pytest.mark.parametrize("model", [Song, Task], ids=lambda m: m.__name__)
def test_every_column_is_either_watched_or_known_to_be_unseen(model):
    columns = {field.column for field in model._meta.concrete_fields}
    unclassified = columns - WATCHED[model] - NOT_SHOWN[model]
    assert not unclassified, (
        f"{model.__name__} has columns the live pages' triggers neither watch nor ignore: "
        f"{sorted(unclassified)}. Watch them (re-create the triggers in a migration) or add "
        "them to NOT_SHOWN with the reason no page shows them."
    )
    assert not (WATCHED[model] - columns), "the triggers name columns that no longer exist"


def version(team):
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM music_teamactivity WHERE team_id = %s", [team.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_triggers_a_later_migration_dropped_come_back_and_count_what_they_missed():
    # What SQLite's table rebuild (AlterField, AddField) does to a table's triggers.
    activity.uninstall(connection)
    song = SongFactory(title="written while the triggers were gone")
    call_command("migrate", verbosity=0)  # post_migrate puts them back

    with connection.cursor() as cursor:
        cursor.execute("SELECT songs FROM music_teamactivity WHERE team_id = %s", [song.team_id])
        assert cursor.fetchone()[0] == 1
    before = version(song.team)
    Song.objects.filter(pk=song.pk).update(state="failed")
    assert version(song.team) == before + 1
    assert not activity.ensure(connection), "all in place now: nothing to redo"


@pytest.mark.django_db(transaction=True)
def test_the_teams_row_counts_the_trash_whoever_writes_it():
    from django.utils import timezone

    from music.services.library import team_activity

    song = SongFactory()
    other = SongFactory(team=song.team)
    team = song.team
    assert team_activity(team).library_songs == 2
    before = version(team)
    Song.objects.filter(pk=song.pk).update(trashed_at=timezone.now())  # a raw update too
    activity_now = team_activity(team)
    assert (activity_now.songs, activity_now.trashed, activity_now.library_songs) == (2, 1, 1)
    assert version(team) > before  # the library's open tabs redraw without it
    song.delete()
    assert (team_activity(team).songs, team_activity(team).trashed) == (1, 0)
    SongFactory(team=team, trashed_at=timezone.now())
    assert team_activity(team).library_songs == 1
    Song.objects.filter(team=team).update(trashed_at=None)
    assert (team_activity(team).trashed, team_activity(team).library_songs) == (0, 2)
    assert other.pk
