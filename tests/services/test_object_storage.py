"""Media on S3-compatible object storage: a real S3 API over HTTP (moto's server), real boto3.

Every file operation (archiving, exports, stems, cleanup after deletes, backups, restores)
goes through the storage API, so the same code lands in the bucket, and nothing on disk.
"""

import io

import httpx
import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from music.models import Relation, Song
from music.services import backup, file_cleanup, mediatypes, storage, teams
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud"


def keys(bucket, prefix=""):
    return sorted(obj.key for obj in bucket.objects.filter(Prefix=prefix))


def body(bucket, key):
    return bucket.Object(key).get()["Body"].read()


def test_files_are_local_by_default_and_in_the_bucket_when_configured(settings, request):
    assert not storage.is_object_storage()
    assert settings.STUDIO_MEDIA_ORIGIN == ""
    request.getfixturevalue("s3_media")
    assert storage.is_object_storage()


def test_a_song_archived_by_the_lifecycle_lands_in_the_bucket(s3_media, team, member, media_root):
    song = make_song(team, member, lyric=LYRIC)
    folder = file_cleanup.song_folder(team.pk, song.pk)
    assert song.audio_file.name.startswith(folder) and song.audio_file.name.endswith(".mp3")
    assert song.image_file.name.startswith(folder)
    stored = keys(s3_media, folder)
    assert stored == sorted([song.audio_file.name, song.image_file.name])
    assert body(s3_media, song.audio_file.name) == song.audio_file.open("rb").read()
    assert mediatypes.sniff(body(s3_media, song.audio_file.name)).extension == ".mp3"
    # Both clips of the job, and nothing written to local disk.
    other = Song.objects.exclude(pk=song.pk).get(task=song.task)
    assert keys(s3_media, file_cleanup.song_folder(team.pk, other.pk))
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_exports_and_stems_land_in_the_bucket(s3_media, team, member, member_client):
    song = make_song(team, member, lyric=LYRIC, is_pro=True)
    for action in ("wav", "mp4", "stems"):
        member_client.post(reverse("music:quick_action", args=[song.pk, action]))
    run_queued()
    song.refresh_from_db()
    assert song.wav_file.name.endswith(".wav")
    assert body(s3_media, song.wav_file.name)[:4] == b"RIFF"
    assert body(s3_media, song.video_file.name)[4:8] == b"ftyp"
    stems = Song.objects.filter(relation=Relation.STEM)
    assert stems.count() == 2
    for stem in stems:
        assert stem.audio_file.name in keys(s3_media, f"teams/{team.pk}/")


def test_a_deleted_song_takes_its_objects_once_the_delete_commits(
    s3_media, team, member, django_capture_on_commit_callbacks
):
    song = make_song(team, member)
    folder = file_cleanup.song_folder(team.pk, song.pk)
    stored = keys(s3_media, folder)
    assert len(stored) == 2
    with django_capture_on_commit_callbacks(execute=True):
        song.delete()
        assert keys(s3_media, folder) == stored  # not before the commit
    assert keys(s3_media, folder) == []
    # The job's other clip is a song of its own: its objects stay.
    assert keys(s3_media, f"teams/{team.pk}/")


def test_a_rolled_back_delete_keeps_the_objects(s3_media, team, member):
    song = make_song(team, member)
    folder = file_cleanup.song_folder(team.pk, song.pk)
    stored = keys(s3_media, folder)
    with pytest.raises(RuntimeError), transaction.atomic():
        song.delete()
        raise RuntimeError("rolled back")
    assert keys(s3_media, folder) == stored


def test_a_deleted_team_takes_its_whole_prefix(
    s3_media, team, member, django_capture_on_commit_callbacks
):
    make_song(team, member)
    prefix = f"teams/{team.pk}/"  # team.pk is None once deleted
    stray = default_storage.save(f"{prefix}stray/file.bin", io.BytesIO(b"x"))
    assert stray in keys(s3_media) and len(keys(s3_media, prefix)) == 5
    with django_capture_on_commit_callbacks(execute=True):
        teams.delete_team(team)
        assert len(keys(s3_media, prefix)) == 5  # not before the commit
    assert keys(s3_media, prefix) == []


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_through_the_bucket(s3_media, team, member, tmp_path):
    song = make_song(team, member, lyric=LYRIC)
    before = {
        name.rsplit("/", 1)[-1]: body(s3_media, name)
        for name in keys(s3_media, file_cleanup.song_folder(team.pk, song.pk))
    }
    archive = tmp_path / "team.zip"
    result = backup.backup_team(team, archive)
    prefix = f"teams/{team.pk}/"
    assert result.files == len(keys(s3_media, prefix)) == 4 and not result.missing_files

    teams.delete_team(team)  # commits: the team's objects go
    assert keys(s3_media, prefix) == []

    restored = backup.restore_team(archive).team
    song = Song.objects.get(pk=song.pk)
    folder = file_cleanup.song_folder(restored.pk, song.pk)
    assert song.audio_file.name.startswith(folder)
    after = {name.rsplit("/", 1)[-1]: body(s3_media, name) for name in keys(s3_media, folder)}
    assert after == before
    assert song.audio_file.open("rb").read() == before[song.audio_file.name.rsplit("/", 1)[-1]]


def test_a_restore_that_fails_leaves_no_objects(s3_media, team, member, tmp_path):
    from tests.factories import SongFactory, TeamFactory

    song = make_song(team, member)
    archive = tmp_path / "team.zip"
    backup.backup_team(team, archive)
    teams.delete_team(team)
    SongFactory(team=TeamFactory(), upstream_id=song.upstream_id)  # the rows will clash
    before = keys(s3_media)
    with pytest.raises(backup.RestoreRefused, match="clash"):
        backup.restore_team(archive)
    assert keys(s3_media) == before


def test_an_object_fetched_without_our_overrides_downloads_rather_than_shows(
    s3_media, team, member
):
    """E.g. the admin's file link: a signed URL with none of the serving view's overrides."""
    song = make_song(team, member)
    answer = httpx.get(default_storage.url(song.image_file.name))
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == "attachment"
    assert answer.headers["Content-Type"] == "image/png"


def test_deleting_a_team_costs_a_few_bucket_requests_however_many_songs(
    s3_media, team, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from tests.factories import SongFactory

    for _ in range(6):
        song = SongFactory(team=team)
        for field in ("audio_file", "image_file", "wav_file"):
            getattr(song, field).save(f"{field}.bin", ContentFile(b"x"), save=False)
        song.save()
    prefix = f"teams/{team.pk}/"
    assert len(keys(s3_media, prefix)) == 18
    calls = []
    events = default_storage.connection.meta.client.meta.events
    events.register("before-call.s3", lambda model, **kw: calls.append(model.name), "count")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            teams.delete_team(team)
    finally:
        events.unregister("before-call.s3", unique_id="count")
    assert keys(s3_media, prefix) == []
    assert calls == ["ListObjects", "DeleteObjects"]  # the team's prefix, in one batch


def test_a_prefix_keeps_the_studio_in_one_folder_of_a_shared_bucket(
    s3_media, settings, team, member, django_capture_on_commit_callbacks
):
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": "studio"}},
    }
    song = make_song(team, member)
    folder = f"studio/{file_cleanup.song_folder(team.pk, song.pk)}"
    assert keys(s3_media, folder) and keys(s3_media) == keys(s3_media, "studio/")
    assert song.audio_file.open("rb").read()[:3]
    with django_capture_on_commit_callbacks(execute=True):
        song.delete()
    assert keys(s3_media, folder) == []
    assert keys(s3_media, "studio/teams/")  # the job's other clip stays
