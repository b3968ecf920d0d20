"""Boot Django on a throw-away database for a benchmark (never the studio's own data)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables of the caller's shell that must not leak into a studio a bench starts.
SCRUBBED = ("DATABASE_URL", "REDIS_URL", "SUNO_", "STUDIO_", "SIMULATOR_", "Q_", "WEB_")


def studio_env(**settings):
    """The environment for studio processes a bench starts: the caller's, without anything
    that configures a studio, plus `settings` (DEBUG off unless given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    for name in ("DJANGO_SETTINGS_MODULE", "DEBUG", "ALLOWED_HOSTS", "LOG_LEVEL"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="studio.settings", DEBUG="false", PYTHONUNBUFFERED="1")
    env.update({name: str(value) for name, value in settings.items()})
    return env


def migrate_and_boot(env):
    """Migrate and collect static files as `make serve` does, then boot Django here with the
    same environment (to fill the database and sign members in)."""
    import subprocess

    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()


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


def fill_songs(team, users, total):
    """Finished songs in `team` (authors in turn from `users`) until it has `total`."""
    from django.utils import timezone

    from music.models import Song

    have = Song.objects.filter(team=team).count()
    now = timezone.now()
    Song.objects.bulk_create(
        [
            Song(
                team=team,
                author=users[i % len(users)],
                upstream_id=f"bench-{i}",
                title=f"Bench song {i}",
                style="pop, synth",
                lyric="[Verse]\nla la",
                state="succeeded",
                duration=120 + i % 60,
                created_at=now - timezone.timedelta(seconds=i),
            )
            for i in range(have, total)
        ],
        batch_size=2000,
    )


def session_cookie(user):
    """A signed-in session for `user`, as the cookie a browser would send."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key}
