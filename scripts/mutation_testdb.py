"""pytest plugin for `make mutation`: every mutant's run starts from one migrated SQLite file.

Migrating a fresh test database takes most of a short test run (18 of 20 s for a one-test
module on a busy machine), and a mutant's run is repeated hundreds of times per module. The
first run (`scripts/mutation.py` makes it before any mutant) migrates into a file and keeps it
as the template; every later run copies the template and reuses it (`--reuse-db`), so each
mutant still starts from a pristine, fully migrated database, only without migrating again.
Does nothing on PostgreSQL (DATABASE_URL set): its test database is made as usual.
"""

import shutil
from pathlib import Path

HERE = Path("var/mutation-testdb")
TEST_DB = HERE / "test.sqlite3"
TEMPLATE = HERE / "template.sqlite3"


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    HERE.mkdir(parents=True, exist_ok=True)
    for leftover in (TEST_DB, *(TEST_DB.with_name(TEST_DB.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    if TEMPLATE.exists():
        shutil.copyfile(TEMPLATE, TEST_DB)
    database.setdefault("TEST", {})["NAME"] = str(TEST_DB.resolve())
    config.option.reuse_db = True


def keep_template():
    """After a run that only migrated: fold the WAL into the file and keep it."""
    import sqlite3

    with sqlite3.connect(TEST_DB) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(TEST_DB, TEMPLATE)
