"""Back up one team into a zip archive, and restore it into a studio that does not have it.

The archive holds:

    manifest.json        format, version, the team's slug and id, the files, counts
    users.json           the usernames (and e-mails) the rows refer to; never passwords
    data/<model>.json    the team's rows, in Django's JSON serialization
    media/<name>         every stored file of the team's songs, under its storage name

Users are referred to by username (Django's natural key), so a restore finds the same people
in another studio and creates the missing ones with unusable passwords (they set one through
"forgot password" or an admin). UUID primary keys (accounts, tasks, songs, personas) are kept:
they are stable and appear in URLs. Integer ones (team, memberships, timings) are given new
values by the database, so restoring never collides with another team's ids nor leaves a
PostgreSQL sequence behind the rows; the team's files move to the new team's folder with it.

Provider API keys are deliberately left out: an archive is a file that travels, and a key in
it would be a key for anyone who holds it. Owners enter the keys again after a restore.
"""

import contextlib
import datetime
import io
import json
import logging
import posixpath
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from music.models import (
    LyricTiming,
    Membership,
    Persona,
    ProviderAccount,
    Song,
    Task,
    TaskEvent,
    Team,
)
from music.services.file_cleanup import SONG_FILE_FIELDS, list_tree, song_file_names, song_folder

log = logging.getLogger(__name__)

FORMAT = "studio-team-backup"
VERSION = 1
COPY_CHUNK = 1 << 20
CHECK_CHUNK = 500

# Written in this order and restored in this order (foreign keys are checked at commit, so
# the song <-> task cycle is fine either way).
MODELS = [
    ("team", Team),
    ("accounts", ProviderAccount),
    ("memberships", Membership),
    ("tasks", Task),
    ("task_events", TaskEvent),
    ("songs", Song),
    ("personas", Persona),
    ("timings", LyricTiming),
]
# Models whose integer primary key the restoring database assigns afresh.
NEW_PK_MODELS = (Team, Membership, TaskEvent, LyricTiming)
# Models whose UUID primary keys are kept, and so must not exist yet where we restore.
KEPT_PK_MODELS = (ProviderAccount, Task, Song, Persona)
ACCOUNT_SECRETS = {"api_key_encrypted", "api_key_last4"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; a backup keeps every microsecond, so
    the order of rows made in the same millisecond survives a restore."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RestoreRefused(BackupError):
    pass


@dataclass
class BackupResult:
    team: Team
    counts: dict
    files: int
    missing_files: list = field(default_factory=list)


@dataclass
class RestoreResult:
    team: Team
    counts: dict
    files: int
    created_users: list = field(default_factory=list)
    accounts_without_keys: list = field(default_factory=list)


# --- backup ---------------------------------------------------------------------------------


def team_querysets(team):
    return {
        "team": Team.objects.filter(pk=team.pk),
        "accounts": ProviderAccount.objects.filter(team=team).order_by("pk"),
        "memberships": Membership.objects.filter(team=team).order_by("pk"),
        "tasks": Task.objects.filter(team=team).order_by("created_at", "pk"),
        "task_events": TaskEvent.objects.filter(task__team=team).order_by("pk"),
        "songs": Song.objects.filter(team=team).order_by("created_at", "pk"),
        "personas": Persona.objects.filter(team=team).order_by("pk"),
        "timings": LyricTiming.objects.filter(song__team=team).order_by("pk"),
    }


def referenced_users(team):
    User = get_user_model()
    return (
        User.objects.filter(
            Q(memberships__team=team)
            | Q(songs__team=team)
            | Q(tasks__team=team)
            | Q(personas__team=team)
        )
        .distinct()
        .order_by(User.USERNAME_FIELD)
    )


def serialize_fields(model):
    """Every field but the account's key: keys must be entered again after a restore."""
    if model is not ProviderAccount:
        return None
    return [f.name for f in model._meta.concrete_fields if f.name not in ACCOUNT_SECRETS]


def song_media_names(song):
    """A song's stored files: its fields, and anything else kept in its media folder."""
    names = dict.fromkeys(song_file_names(song))
    names.update(dict.fromkeys(list_tree(song_folder(song.team_id, song.pk))))
    return list(names)


def get_team(slug):
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise BackupError(_("There is no team with the slug “%(slug)s”.") % {"slug": slug})
    return team


def backup_team(team, target):
    """Write the team's archive to `target` (a path, or a binary file open for writing).

    Streamed: rows are serialized straight into the zip and each file is copied through the
    storage API chunk by chunk, so neither a big library nor a big file is held in memory.
    """
    if isinstance(target, str | Path):
        # Write beside the target and rename at the end: a half-written archive must never
        # be mistaken for a backup.
        target = Path(target)
        partial = target.with_name(target.name + ".part")
        try:
            with partial.open("wb") as handle:
                result = backup_team(team, handle)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return result

    counts, files, missing = {}, [], []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, queryset in team_querysets(team).items():
            model = queryset.model
            with archive.open(f"data/{key}.json", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8")
                serializers.serialize(
                    "json",
                    queryset.iterator(chunk_size=500),
                    stream=text,
                    fields=serialize_fields(model),
                    use_natural_foreign_keys=True,
                    indent=1,
                    cls=ExactJSONEncoder,
                )
                text.flush()
                text.detach()
            counts[key] = queryset.count()

        for song in team_querysets(team)["songs"].only("pk", "team_id", *SONG_FILE_FIELDS):
            for name in song_media_names(song):
                if not default_storage.exists(name):
                    missing.append(name)
                    continue
                info = zipfile.ZipInfo(f"media/{name}", date_time=time.localtime()[:6])
                # Audio, images and video are compressed already; deflating them costs time
                # and saves nothing.
                info.compress_type = zipfile.ZIP_STORED
                with (
                    default_storage.open(name, "rb") as source,
                    archive.open(info, "w", force_zip64=True) as sink,
                ):
                    shutil.copyfileobj(source, sink, COPY_CHUNK)
                files.append({"song": str(song.pk), "name": name})

        User = get_user_model()
        users = [
            {"username": user.get_username(), "email": getattr(user, "email", "")}
            for user in referenced_users(team)
        ]
        archive.writestr("users.json", json.dumps(users, indent=1, ensure_ascii=False))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "team": {"slug": team.slug, "id": team.pk, "name": team.name},
            "username_field": User.USERNAME_FIELD,
            "counts": counts,
            "files": files,
            "missing_files": missing,
            "provider_keys": "not included: enter each provider account's API key again",
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    for name in missing:
        log.warning("backup of team %s: stored file %s is missing", team.slug, name)
    return BackupResult(team=team, counts=counts, files=len(files), missing_files=missing)


# --- restore --------------------------------------------------------------------------------


def restore_team(source):
    """Restore an archive made by backup_team into a studio that does not have that team.

    Refuses (RestoreRefused, nothing changed) when the team's slug or any of its kept ids
    already exist. Rows go in in one transaction; files are written through the storage API
    inside it, and deleted again if anything fails, so a refused or broken restore leaves
    neither rows nor files behind.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise RestoreRefused(
            _("This is not a team backup archive (%(error)s).") % {"error": exc}
        ) from exc
    with archive:
        manifest, users, rows = read_archive(archive)
        refuse_clashes(manifest, rows)
        written = []
        try:
            with transaction.atomic():
                refuse_clashes(manifest, rows)  # again, now inside the transaction
                result = write_rows(archive, manifest, users, rows, written)
        except IntegrityError as exc:
            remove_written(written)
            raise RestoreRefused(
                _(
                    "The archive's rows clash with rows already in this studio (%(error)s); "
                    "nothing was restored."
                )
                % {"error": exc}
            ) from exc
        except BaseException:
            remove_written(written)
            raise
    return result


def read_archive(archive):
    damaged = _("The archive is damaged or incomplete: %(error)s")
    try:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise RestoreRefused(_("This is not a team backup archive."))
        if manifest.get("version") != VERSION:
            raise RestoreRefused(
                _("This archive has version %(version)s; this studio reads version %(ours)s.")
                % {"version": manifest.get("version"), "ours": VERSION}
            )
        users = json.loads(archive.read("users.json"))
        rows = {key: json.loads(archive.read(f"data/{key}.json")) for key, _model in MODELS}
        if len(rows["team"]) != 1 or not rows["team"][0]["fields"]["slug"]:
            raise ValueError("data/team.json")
        for model in KEPT_PK_MODELS:
            key = next(k for k, m in MODELS if m is model)
            for row in rows[key]:
                uuid.UUID(str(row["pk"]))
        song_ids = {str(row["pk"]) for row in rows["songs"]}
        for entry in manifest.get("files", []):
            # A file belongs to one of the archive's songs; its id picks the folder it lands in.
            if str(entry["song"]) not in song_ids or not entry["name"]:
                raise ValueError(f"media/{entry['name']}")
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise RestoreRefused(damaged % {"error": exc}) from exc
    return manifest, users, rows


def refuse_clashes(manifest, rows):
    slug = rows["team"][0]["fields"]["slug"]
    if Team.objects.filter(slug=slug).exists():
        raise RestoreRefused(
            _(
                "A team with the slug “%(slug)s” already exists in this studio. Restore into a "
                "studio without it, or delete or rename that team first."
            )
            % {"slug": slug}
        )
    for model in KEPT_PK_MODELS:
        key = next(k for k, m in MODELS if m is model)
        ids = [row["pk"] for row in rows[key]]
        clashing = []
        # In chunks: a big library has more ids than SQLite takes parameters in one query.
        for start in range(0, len(ids), CHECK_CHUNK):
            chunk = ids[start : start + CHECK_CHUNK]
            clashing += model.objects.filter(pk__in=chunk).values_list("pk", flat=True)
        if clashing:
            count = len(clashing)
            raise RestoreRefused(
                _(
                    "%(count)s of the archive's %(kind)s already exist in this studio (for "
                    "example %(id)s). A team can only be restored where it is not; nothing "
                    "was restored."
                )
                % {"count": count, "kind": model._meta.verbose_name_plural, "id": clashing[0]}
            )


def safe_relative(name):
    """A stored name from the archive, refused if it could step out of its folder."""
    parts = name.replace("\\", "/").split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise RestoreRefused(_("The archive is damaged or incomplete: %(error)s") % {"error": name})
    return name


def restored_name(name, old_team_id, new_team_id, song_id):
    """Where a file lands: always in the restored song's own folder, whatever the archive says.

    A crafted archive therefore cannot write into another team's (or song's) files.
    """
    old_folder = song_folder(old_team_id, song_id)
    relative = name[len(old_folder) :] if name.startswith(old_folder) else posixpath.basename(name)
    return song_folder(new_team_id, song_id) + safe_relative(relative)


def ensure_users(users, username_field):
    User = get_user_model()
    if username_field != User.USERNAME_FIELD:
        raise RestoreRefused(
            _("The archive names users by %(field)s; this studio by %(ours)s.")
            % {"field": username_field, "ours": User.USERNAME_FIELD}
        )
    wanted = {user["username"]: user for user in users}
    existing = set(
        User.objects.filter(**{f"{User.USERNAME_FIELD}__in": wanted}).values_list(
            User.USERNAME_FIELD, flat=True
        )
    )
    created = []
    for username, data in wanted.items():
        if username in existing:
            continue
        user = User(**{User.USERNAME_FIELD: username})
        if hasattr(user, "email"):
            user.email = data.get("email", "")
        user.set_unusable_password()  # they choose a password through an admin or a reset
        user.save()
        created.append(username)
    return created


def deserialize(rows):
    try:
        return list(serializers.deserialize("json", json.dumps(rows)))
    except DeserializationError as exc:
        raise RestoreRefused(
            _("The archive is damaged or incomplete: %(error)s") % {"error": exc}
        ) from exc


def insert(obj):
    # force_insert: a kept id that appeared meanwhile must fail, never overwrite that row.
    # raw: keep the archive's timestamps (auto_now fields) as they were.
    obj.save_base(raw=True, force_insert=True)


def write_rows(archive, manifest, users, rows, written):
    created_users = ensure_users(users, manifest.get("username_field", "username"))

    (team_row,) = deserialize(rows["team"])
    team = team_row.object
    old_team_id = team.pk
    team.pk = None
    insert(team)

    # Files first (into the new team's folder), so the song rows can point at their new names.
    new_names = {}
    for entry in manifest.get("files", []):
        name = entry["name"]
        target = restored_name(name, old_team_id, team.pk, uuid.UUID(str(entry["song"])))
        try:
            member = archive.getinfo(f"media/{name}")
        except KeyError as exc:
            raise RestoreRefused(
                _("The archive is damaged or incomplete: %(error)s") % {"error": name}
            ) from exc
        with archive.open(member) as handle:
            content = File(handle, name=posixpath.basename(target))
            content.size = member.file_size
            saved = default_storage.save(target, content)
        written.append(saved)
        new_names[name] = saved

    counts = {"team": 1}
    accounts_without_keys = []
    for key, _model in MODELS[1:]:
        objects = [d.object for d in deserialize(rows[key])]
        for obj in objects:
            if isinstance(obj, NEW_PK_MODELS):
                obj.pk = None
            if hasattr(obj, "team_id"):
                obj.team_id = team.pk
            if isinstance(obj, Song):
                for field_name in SONG_FILE_FIELDS:
                    old = getattr(obj, field_name).name
                    # A file missing from the archive leaves the field empty: pointing at
                    # nothing would break the song's page and downloads.
                    setattr(obj, field_name, new_names.get(old, "") if old else "")
            if isinstance(obj, ProviderAccount):
                obj.api_key_encrypted = obj.api_key_last4 = ""
                accounts_without_keys.append(obj.name)
            insert(obj)
        counts[key] = len(objects)
    return RestoreResult(
        team=team,
        counts=counts,
        files=len(written),
        created_users=created_users,
        accounts_without_keys=accounts_without_keys,
    )


def remove_written(names):
    """Undo a failed restore's files, and the folders it made for them (deepest first)."""
    folders = set()
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # OSError on disk; botocore's errors on a bucket: go on with the rest
            log.warning("could not remove %s after a failed restore", name, exc_info=True)
        parts = name.split("/")[:-1]
        # teams/<id>/songs/<song>/...: never above the team's own folder.
        folders.update("/".join(parts[:n]) for n in range(2, len(parts) + 1))
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            default_storage.delete(folder)  # only removes an empty directory
