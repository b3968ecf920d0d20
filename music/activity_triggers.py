"""Database triggers behind the live pages and the search index (issue #12).

- `music_teamactivity`: a per-team change counter and the team's song and task counts, kept
  by triggers on every insert, delete and visible update of a song or task, whoever writes it
  (save, queryset update, bulk_create, admin, raw SQL). SQLite: plain triggers (one writer at
  a time). PostgreSQL: deferred constraint triggers, so the counter row is locked only while
  a transaction commits, never across the lifecycle's own row locks.
- The same row counts the team's songs in the trash (`trashed`), so the library's page count
  (songs - trashed) needs no COUNT either.
- Search: PostgreSQL pg_trgm GIN indexes on UPPER(column), the expression Django's icontains
  compares; SQLite an FTS5 table with the trigram tokenizer (SQLite >= 3.34), kept in sync by
  triggers.

SQLite drops a table's triggers when a migration rebuilds the table (most AlterField and
AddField operations do), so `ensure` runs after every migrate and puts back what is missing,
re-counting what was missed meanwhile.

Triggers name only the columns that exist when they are made: a migration older than a
watched column (0008 predates `trashed_at`) makes them without it, and the migration that
adds the column drops them first and makes them again (0013, 0019).
"""

# Columns a live page shows (library cards, song hero, in-flight lists, task rows): a change
# to any of them bumps the team's version. A task's poll bookkeeping (polls, next_poll_at,
# missing_*, callback_at, updated_at, the raw response) does not.
SONG_COLUMNS = [
    "task_id",
    "author_id",
    "upstream_id",
    "account_id",
    "state",
    "title",
    "prompt",
    "lyric",
    "style",
    "model_name",
    "instrumental",
    "duration",
    "audio_url",
    "image_url",
    "video_url",
    "audio_file",
    "image_file",
    "archive_error",
    "error_message",
    "parent_id",
    "root_id",
    "parts",
    "is_pro",
    "wav_file",
    "video_file",
    "relation",
    "is_fragment",
    "trashed_at",
    "created_at",
    "team_id",
    # The title line's take letter and the card's "who did what" line (0019).
    "take",
    "last_event_kind",
    "last_event_by",
    "last_event_at",
]
TASK_COLUMNS = [
    "created_by_id",
    "action",
    "state",
    "params",
    "progress",
    "error_code",
    "error_message",
    "source_song_id",
    "late_until",
    "created_at",
    "team_id",
]
TABLES = {"music_song": ("songs", SONG_COLUMNS), "music_task": ("tasks", TASK_COLUMNS)}


def sqlite_changed(columns):
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def sqlite_bump(row, count, delta):
    counts = f", {count} = {count} + ({delta})" if delta else ""
    values = {"songs": 0, "tasks": 0}
    values[count] = delta
    return (
        "INSERT INTO music_teamactivity (team_id, version, songs, tasks) "
        f"VALUES ({row}.team_id, 1, {values['songs']}, {values['tasks']}) "
        f"ON CONFLICT (team_id) DO UPDATE SET version = version + 1{counts};"
    )


TRASH_SQLITE = (
    "INSERT INTO music_teamactivity (team_id, version, songs, tasks, trashed) "
    "VALUES ({row}.team_id, 0, 0, 0, {delta}) "
    "ON CONFLICT (team_id) DO UPDATE SET trashed = trashed + ({delta});"
)


def existing_columns(cursor, table):
    return {c.name for c in cursor.db.introspection.get_table_description(cursor, table)}


def watched(cursor):
    """TABLES with only the columns the tables have now (see the module's docstring)."""
    return {
        table: (count, [c for c in columns if c in existing_columns(cursor, table)])
        for table, (count, columns) in TABLES.items()
    }


def has_trash(cursor):
    return "trashed_at" in existing_columns(cursor, "music_song") and (
        "trashed" in existing_columns(cursor, "music_teamactivity")
    )


def sqlite_forward(cursor):
    if has_trash(cursor):
        cursor.execute(
            "CREATE TRIGGER music_song_trash_ins AFTER INSERT ON music_song "
            f"WHEN NEW.trashed_at IS NOT NULL BEGIN {TRASH_SQLITE.format(row='NEW', delta=1)} END"
        )
        cursor.execute(
            "CREATE TRIGGER music_song_trash_del AFTER DELETE ON music_song "
            f"WHEN OLD.trashed_at IS NOT NULL BEGIN {TRASH_SQLITE.format(row='OLD', delta=-1)} END"
        )
        cursor.execute(
            "CREATE TRIGGER music_song_trash_upd AFTER UPDATE ON music_song "
            "WHEN (OLD.trashed_at IS NULL) IS NOT (NEW.trashed_at IS NULL) BEGIN "
            + TRASH_SQLITE.format(
                row="NEW", delta="CASE WHEN NEW.trashed_at IS NULL THEN -1 ELSE 1 END"
            )
            + " END"
        )
    for table, (count, columns) in watched(cursor).items():
        cursor.execute(
            f"CREATE TRIGGER {table}_activity_ins AFTER INSERT ON {table} "
            f"BEGIN {sqlite_bump('NEW', count, 1)} END"
        )
        cursor.execute(
            f"CREATE TRIGGER {table}_activity_del AFTER DELETE ON {table} "
            f"BEGIN {sqlite_bump('OLD', count, -1)} END"
        )
        cursor.execute(
            f"CREATE TRIGGER {table}_activity_upd AFTER UPDATE ON {table} "
            f"WHEN {sqlite_changed(columns)} "
            f"BEGIN {sqlite_bump('NEW', count, 0)} "
            # A row moved to another team (never done by the studio) counts there.
            f"UPDATE music_teamactivity SET version = version + 1, {count} = {count} - 1 "
            f"WHERE OLD.team_id IS NOT NEW.team_id AND team_id = OLD.team_id; "
            f"UPDATE music_teamactivity SET {count} = {count} + 1 "
            f"WHERE OLD.team_id IS NOT NEW.team_id AND team_id = NEW.team_id; END"
        )
    (version,) = cursor.execute("SELECT sqlite_version()").fetchone()
    if tuple(int(n) for n in version.split(".")[:2]) < (3, 34):
        return  # no trigram tokenizer: search uses the plain filter
    cursor.execute(
        "CREATE VIRTUAL TABLE music_song_search USING fts5("
        "song_id UNINDEXED, title, lyric, style, tokenize = 'trigram')"
    )
    cursor.execute(
        "INSERT INTO music_song_search (rowid, song_id, title, lyric, style) "
        "SELECT rowid, id, title, lyric, style FROM music_song"
    )
    insert = (
        "INSERT INTO music_song_search (rowid, song_id, title, lyric, style) "
        "VALUES (NEW.rowid, NEW.id, NEW.title, NEW.lyric, NEW.style);"
    )
    delete = "DELETE FROM music_song_search WHERE rowid = OLD.rowid;"
    cursor.execute(
        f"CREATE TRIGGER music_song_search_ins AFTER INSERT ON music_song BEGIN {insert} END"
    )
    cursor.execute(
        f"CREATE TRIGGER music_song_search_del AFTER DELETE ON music_song BEGIN {delete} END"
    )
    cursor.execute(
        "CREATE TRIGGER music_song_search_upd AFTER UPDATE ON music_song WHEN "
        "OLD.title IS NOT NEW.title OR OLD.lyric IS NOT NEW.lyric OR OLD.style IS NOT NEW.style "
        f"OR OLD.id IS NOT NEW.id BEGIN {delete} {insert} END"
    )


def sqlite_backward(cursor):
    for table in TABLES:
        for suffix in ("ins", "del", "upd"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_activity_{suffix}")
    for suffix in ("ins", "del", "upd"):
        cursor.execute(f"DROP TRIGGER IF EXISTS music_song_trash_{suffix}")
    for suffix in ("ins", "del", "upd"):
        cursor.execute(f"DROP TRIGGER IF EXISTS music_song_search_{suffix}")
    cursor.execute("DROP TABLE IF EXISTS music_song_search")


PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION music_team_activity_add(tid bigint, tbl text, delta integer)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO music_teamactivity (team_id, version, songs, tasks)
    VALUES (
        tid, 1,
        CASE WHEN tbl = 'music_song' THEN delta ELSE 0 END,
        CASE WHEN tbl = 'music_task' THEN delta ELSE 0 END
    )
    ON CONFLICT (team_id) DO UPDATE SET
        version = music_teamactivity.version + 1,
        songs = music_teamactivity.songs + EXCLUDED.songs,
        tasks = music_teamactivity.tasks + EXCLUDED.tasks;
$$;

CREATE OR REPLACE FUNCTION music_team_activity_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM music_team_activity_add(NEW.team_id, TG_TABLE_NAME, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM music_team_activity_add(OLD.team_id, TG_TABLE_NAME, -1);
    ELSIF OLD.team_id IS DISTINCT FROM NEW.team_id THEN
        PERFORM music_team_activity_add(OLD.team_id, TG_TABLE_NAME, -1);
        PERFORM music_team_activity_add(NEW.team_id, TG_TABLE_NAME, 1);
    ELSE
        PERFORM music_team_activity_add(NEW.team_id, TG_TABLE_NAME, 0);
    END IF;
    RETURN NULL;
END $$;
"""


PG_TRASH = """
CREATE OR REPLACE FUNCTION music_team_trash_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    delta integer := 0;
    tid bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := (NEW.trashed_at IS NOT NULL)::int; tid := NEW.team_id;
    ELSIF TG_OP = 'DELETE' THEN
        delta := -((OLD.trashed_at IS NOT NULL)::int); tid := OLD.team_id;
    ELSE
        delta := (NEW.trashed_at IS NOT NULL)::int - (OLD.trashed_at IS NOT NULL)::int;
        tid := NEW.team_id;
    END IF;
    IF delta <> 0 THEN
        INSERT INTO music_teamactivity (team_id, version, songs, tasks, trashed)
        VALUES (tid, 0, 0, 0, delta)
        ON CONFLICT (team_id) DO UPDATE SET trashed = music_teamactivity.trashed + delta;
    END IF;
    RETURN NULL;
END $$;
"""


def pg_forward(cursor):
    cursor.execute(PG_FUNCTIONS)
    if has_trash(cursor):
        cursor.execute(PG_TRASH)
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER music_song_trash_count "
            "AFTER INSERT OR UPDATE OR DELETE ON music_song "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION music_team_trash_count()"
        )
    for table, (_, columns) in watched(cursor).items():
        old = ", ".join(f"OLD.{c}" for c in columns)
        new = ", ".join(f"NEW.{c}" for c in columns)
        # Deferred: the counter row is touched at commit, after the transaction's own row
        # locks, and only once it is sure to be visible with the data it describes.
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_activity_insdel AFTER INSERT OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION music_team_activity_bump()"
        )
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_activity_upd AFTER UPDATE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"WHEN (ROW({old}) IS DISTINCT FROM ROW({new})) "
            "EXECUTE FUNCTION music_team_activity_bump()"
        )
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "lyric", "style"):
        # The expression Django's icontains compares: UPPER("col"::text) LIKE UPPER('%q%').
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS song_{column}_trgm ON music_song "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def pg_backward(cursor):
    cursor.execute("DROP TRIGGER IF EXISTS music_song_trash_count ON music_song")
    cursor.execute("DROP FUNCTION IF EXISTS music_team_trash_count()")
    for table in TABLES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_activity_insdel ON {table}")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_activity_upd ON {table}")
    cursor.execute("DROP FUNCTION IF EXISTS music_team_activity_bump()")
    cursor.execute("DROP FUNCTION IF EXISTS music_team_activity_add(bigint, text, integer)")
    for column in ("title", "lyric", "style"):
        cursor.execute(f"DROP INDEX IF EXISTS song_{column}_trgm")


def sqlite_trigger_names(cursor):
    return {
        row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }


def sqlite_expected(cursor):
    names = {f"{table}_activity_{suffix}" for table in TABLES for suffix in ("ins", "del", "upd")}
    if has_trash(cursor):
        names |= {f"music_song_trash_{suffix}" for suffix in ("ins", "del", "upd")}
    if sqlite_has_search(cursor):
        names |= {f"music_song_search_{suffix}" for suffix in ("ins", "del", "upd")}
    return names


def sqlite_has_search(cursor):
    return bool(
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'music_song_search'"
        ).fetchone()
    )


def pg_trigger_names(cursor):
    cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return {row[0] for row in cursor.fetchall()}


PG_EXPECTED = {f"{table}_activity_{kind}" for table in TABLES for kind in ("insdel", "upd")}


def recount(cursor):
    """Counts from the rows themselves, and a new version for every team (open tabs reload)."""
    cursor.execute(
        "INSERT INTO music_teamactivity (team_id, version, songs, tasks) "
        "SELECT t.id, 1, 0, 0 FROM music_team t "
        "WHERE NOT EXISTS (SELECT 1 FROM music_teamactivity a WHERE a.team_id = t.id)"
    )
    cursor.execute(
        "UPDATE music_teamactivity SET version = version + 1, "
        "songs = (SELECT COUNT(*) FROM music_song s WHERE s.team_id = music_teamactivity.team_id), "
        "tasks = (SELECT COUNT(*) FROM music_task k WHERE k.team_id = music_teamactivity.team_id)"
    )
    if has_trash(cursor):
        cursor.execute(
            "UPDATE music_teamactivity SET trashed = (SELECT COUNT(*) FROM music_song s "
            "WHERE s.team_id = music_teamactivity.team_id AND s.trashed_at IS NOT NULL)"
        )


def install(connection):
    """Counts, triggers and search index, as migration 0008 first made them."""
    with connection.cursor() as cursor:
        recount(cursor)
        if connection.vendor == "sqlite":
            sqlite_forward(cursor)
        elif connection.vendor == "postgresql":
            pg_forward(cursor)


def uninstall(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sqlite_backward(cursor)
        elif connection.vendor == "postgresql":
            pg_backward(cursor)


def ensure(connection):
    """Put back triggers a later migration dropped; returns True when it had to."""
    if "music_teamactivity" not in connection.introspection.table_names():
        return False  # migrated back before 0008: nothing of this exists yet
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if sqlite_expected(cursor) <= sqlite_trigger_names(cursor):
                return False
            sqlite_backward(cursor)  # the search table is rebuilt from the rows too
        elif connection.vendor == "postgresql":
            expected = PG_EXPECTED | ({"music_song_trash_count"} if has_trash(cursor) else set())
            if pg_trigger_names(cursor) >= expected:
                return False
            pg_backward(cursor)
        else:
            return False
    install(connection)
    return True
