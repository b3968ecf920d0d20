"""Stored files follow their rows: a deleted song (or team) takes its media with it.

Files are removed only once the deleting transaction commits, so a rolled-back delete keeps
them. Everything goes through Django's storage API (never os calls) so it works the same on
object storage, where "folders" are only name prefixes.
"""

import logging
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction

from music.services import storage as object_storage

log = logging.getLogger(__name__)

SONG_FILE_FIELDS = ("audio_file", "image_file", "wav_file", "video_file", "midi_file")


def team_folder(team_id):
    return f"teams/{team_id}/"


def song_folder(team_id, song_id):
    # The same layout as music.models.song_media_path, which names every archived file.
    return f"teams/{team_id}/songs/{song_id}/"


def song_file_names(song):
    return [name for name in (getattr(song, f).name for f in SONG_FILE_FIELDS) if name]


def list_tree(folder, storage=None):
    """Every file name under a folder, recursively (an empty list if there is no folder)."""
    storage = storage or default_storage
    folder = folder.rstrip("/")
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}/{name}" for name in files]
    for name in dirs:
        names.extend(list_tree(f"{folder}/{name}", storage))
    return names


def delete_tree(folder, storage=None):
    """Delete every file under a folder, then the (now empty) folders themselves."""
    storage = storage or default_storage
    folder = folder.rstrip("/")
    if object_storage.is_object_storage(storage):
        # A team of a thousand songs would otherwise cost thousands of requests, after the
        # commit, in the deleting request.
        try:
            failed = object_storage.delete_prefix(storage, folder)
        except Exception:
            log.warning("could not delete the stored files under %s", folder, exc_info=True)
            return
        for name in failed:
            log.warning("could not delete stored file %s", name)
        return
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        _delete(storage, f"{folder}/{name}")
    for name in dirs:
        delete_tree(f"{folder}/{name}", storage)
    # FileSystemStorage removes an empty directory; object stores have none and ignore it.
    _delete(storage, folder)


def _delete(storage, name):
    """One failed delete (a busy file, a flaky bucket) must not keep the others."""
    try:
        storage.delete(name)
    except Exception:  # OSError on disk; botocore's ClientError or BotoCoreError on a bucket
        log.warning("could not delete stored file %s", name, exc_info=True)


def remove_song_files(team_id, song_id, names):
    """Delete a deleted song's files: its folder, and any field file kept elsewhere."""
    from music.models import Song, Team

    folder = song_folder(team_id, song_id)
    outside = [name for name in names if not name.startswith(folder)]
    if outside:
        # A name outside the song's own folder could be shared with a song that still exists;
        # that one keeps it. Checked after commit, so the check sees the final rows.
        still_used = set()
        for field in SONG_FILE_FIELDS:
            still_used.update(
                Song.objects.filter(**{f"{field}__in": outside}).values_list(field, flat=True)
            )
        for name in outside:
            if name not in still_used:
                _delete(default_storage, name)
    if not Team.objects.filter(pk=team_id).exists():
        return  # the team went with it: team_deleted removes its whole folder at once
    delete_tree(folder)


def song_deleted(sender, instance, **kwargs):
    """post_delete for Song (also sent for each song a team delete cascades to)."""
    # Read everything now: after commit the instance may be reused or gone.
    callback = partial(remove_song_files, instance.team_id, instance.pk, song_file_names(instance))
    transaction.on_commit(callback, using=kwargs.get("using"), robust=True)


def team_deleted(sender, instance, **kwargs):
    """post_delete for Team: its whole media folder goes, whatever else is in it."""
    callback = partial(delete_tree, team_folder(instance.pk))
    transaction.on_commit(callback, using=kwargs.get("using"), robust=True)
