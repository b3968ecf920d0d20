"""Boot Django on a throw-away database for a benchmark (never the studio's own data)."""

import os
import sys
import tempfile
from pathlib import Path


def boot():
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    workdir = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    os.environ["STUDIO_VAR_DIR"] = str(workdir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["Q_SYNC"] = "1"
    os.environ["STUDIO_TESTING"] = "1"  # plain static storage: no collectstatic needed
    os.environ["SIMULATOR_QUEUED_SECONDS"] = "0"
    os.environ["SIMULATOR_RUNNING_SECONDS"] = "0"
    os.environ["SIMULATOR_MAX_DURATION"] = "8"
    os.environ["DJANGO_SETTINGS_MODULE"] = "studio.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return workdir
