"""A team's backup archive restores the same rows, relations and file bytes; clashes refuse."""

import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from music.models import LyricTiming, Persona, ProviderAccount, Song, Task, TaskEvent, Team
from music.services import backup, file_cleanup, teams
from tests.factories import MembershipFactory, SongFactory, TaskFactory, TeamFactory, UserFactory


def store(song, field, name, data):
    getattr(song, field).save(name, ContentFile(data), save=False)


def make_team():
    """A team with members, a keyed account, a family of songs with files, a persona, a timing."""
    team = TeamFactory(name="Night Owls", slug="night-owls", auto_concat=True)
    owner = MembershipFactory(team=team, role="owner", user=UserFactory(username="olga")).user
    member = MembershipFactory(team=team, role="member", user=UserFactory(username="max")).user
    MembershipFactory(team=team, role="viewer", user=UserFactory(username="vera"))
    account = ProviderAccount(team=team, name="Hub", base_url="https://api.example.com")
    account.set_api_key("sk-very-secret-1234")
    account.is_default = True
    account.save()

    task = TaskFactory(team=team, created_by=member, account=account, upstream_id="job-1")
    TaskEvent.objects.create(task=task, state="succeeded", code="late", note="arrived late")
    parent = SongFactory(team=team, task=task, author=member, account=account, lyric="[Verse]\nA")
    store(parent, "audio_file", "audio.mp3", b"ID3 parent audio")
    store(parent, "image_file", "cover.jpeg", b"\xff\xd8 parent cover")
    store(parent, "wav_file", "audio.wav", b"RIFF parent wav")
    parent.raw = {"id": parent.upstream_id, "tags": ["pop"]}
    parent.save()
    default_storage.save(
        f"{file_cleanup.song_folder(team.pk, parent.pk)}stems/vocals.mp3", ContentFile(b"vocals")
    )

    extend_task = TaskFactory(
        team=team, created_by=member, account=account, action="extend", source_song=parent
    )
    child = SongFactory(
        team=team,
        task=extend_task,
        author=member,
        parent=parent,
        root=parent,
        relation="extended",
        is_fragment=True,
    )
    store(child, "audio_file", "audio.mp3", b"ID3 child audio")
    store(child, "video_file", "video.mp4", b"\x00\x00 child video")
    child.save()
    whole = SongFactory(
        team=team,
        author=owner,
        parent=child,
        root=parent,
        relation="concatenated",
        parts=[{"id": parent.upstream_id, "continue_at": 30}, {"id": child.upstream_id}],
    )

    LyricTiming.objects.create(song=parent, words=[{"word": "A", "start": 0.5}], waveform=[0.1])
    persona_task = TaskFactory(team=team, created_by=owner, action="persona")
    Persona.objects.create(
        team=team,
        name="Warm tenor",
        upstream_id="persona-1",
        source_song=parent,
        task=persona_task,
        created_by=owner,
    )
    return team, [parent, child, whole]


def snapshot(team):
    """The team's rows as comparable data: no integer ids, file fields replaced by bytes."""
    team = Team.objects.get(pk=team.pk)
    out = {}
    for key, queryset in backup.team_querysets(team).items():
        rows = []
        for row in serializers.serialize(
            "python", queryset, use_natural_foreign_keys=True, fields=None
        ):
            fields = dict(row["fields"])
            fields.pop("team", None)
            if queryset.model not in backup.NEW_PK_MODELS:
                fields["pk"] = str(row["pk"])
            for name in file_cleanup.SONG_FILE_FIELDS:
                if fields.get(name):
                    with default_storage.open(fields[name]) as handle:
                        fields[name] = (fields[name].rsplit("/", 1)[-1], handle.read())
            rows.append(fields)
        out[key] = sorted(rows, key=lambda r: json.dumps(r, default=str, sort_keys=True))
    out["folders"] = {
        str(song.pk): {
            name.split(f"/songs/{song.pk}/", 1)[1]: default_storage.open(name).read()
            for name in file_cleanup.list_tree(file_cleanup.song_folder(team.pk, song.pk))
        }
        for song in Song.objects.filter(team=team)
    }
    return out


def without_keys(data):
    for account in data["accounts"]:
        account["api_key_encrypted"] = account["api_key_last4"] = ""
    return data


@pytest.mark.django_db(transaction=True)
def test_a_team_survives_backup_delete_and_restore(tmp_path):
    team, songs = make_team()
    other_team = TeamFactory()
    other_song = SongFactory(team=other_team)
    store(other_song, "audio_file", "audio.mp3", b"someone else's song")
    other_song.save()
    before = snapshot(team)
    archive = tmp_path / "night-owls.zip"

    out = StringIO()
    call_command("backup_team", "night-owls", str(archive), stdout=out)
    assert "API keys are not in the archive" in out.getvalue()
    with zipfile.ZipFile(archive) as zf:
        assert b"sk-very-secret" not in b"".join(zf.read(n) for n in zf.namelist())
        assert "1234" not in zf.read("data/accounts.json").decode()

    teams.delete_team(team)  # commits: the team's files go
    assert not Team.objects.filter(slug="night-owls").exists()
    assert not default_storage.exists(songs[0].audio_file.name)
    get_user_model().objects.filter(username="vera").delete()  # a user this studio lacks

    out = StringIO()
    call_command("restore_team", str(archive), stdout=out)
    assert "without their API keys" in out.getvalue()
    assert "Hub" in out.getvalue()
    assert "vera" in out.getvalue()

    restored = Team.objects.get(slug="night-owls")
    assert snapshot(restored) == without_keys(before)
    # Relations point at the restored rows.
    parent, child, whole = (Song.objects.get(pk=s.pk) for s in songs)
    assert child.parent == parent and whole.parent == child and whole.root == parent
    assert Persona.objects.get().source_song == parent
    assert parent.timing.words == [{"word": "A", "start": 0.5}]
    assert Task.objects.get(pk=child.task_id).source_song == parent
    assert TaskEvent.objects.filter(task__team__slug=team.slug, code="late").count() == 1
    assert parent.account.team == restored and not parent.account.api_key_last4
    assert parent.audio_file.name.startswith(f"teams/{restored.pk}/songs/{parent.pk}/")
    assert {(m.user.username, m.role) for m in restored.memberships.all()} == {
        ("olga", "owner"),
        ("max", "member"),
        ("vera", "viewer"),
    }
    assert not get_user_model().objects.get(username="vera").has_usable_password()
    assert get_user_model().objects.get(username="olga").check_password("secret-pass-123")
    # Another team's files were never touched.
    assert default_storage.open(other_song.audio_file.name).read() == b"someone else's song"


@pytest.mark.django_db
def test_restore_refuses_a_team_that_is_already_here(tmp_path):
    team, songs = make_team()
    archive = tmp_path / "team.zip"
    backup.backup_team(team, archive)
    files_before = file_cleanup.list_tree("teams")

    with pytest.raises(CommandError, match="slug “night-owls” already exists"):
        call_command("restore_team", str(archive))

    Team.objects.filter(pk=team.pk).update(slug="renamed")
    with pytest.raises(backup.RestoreRefused, match="already exist in this studio") as info:
        backup.restore_team(archive)
    assert "accounts" in info.value.message or "songs" in info.value.message
    assert Team.objects.count() == 1
    assert file_cleanup.list_tree("teams") == files_before


@pytest.mark.django_db
def test_a_restore_that_fails_midway_leaves_no_rows_and_no_files(tmp_path):
    team, songs = make_team()
    archive = tmp_path / "team.zip"
    backup.backup_team(team, archive)
    upstream_id = songs[0].upstream_id
    teams.delete_team(team)
    # Another team now holds a clip with the same provider id: the song rows cannot go in.
    SongFactory(team=TeamFactory(), upstream_id=upstream_id)
    before = file_cleanup.list_tree("teams")

    with pytest.raises(backup.RestoreRefused, match="clash with rows already in this studio"):
        backup.restore_team(archive)
    assert not Team.objects.filter(slug="night-owls").exists()
    assert not Song.objects.filter(pk=songs[0].pk).exists()
    assert file_cleanup.list_tree("teams") == before


@pytest.mark.django_db
def test_a_crafted_archive_cannot_write_outside_its_song_folder(tmp_path):
    team, songs = make_team()
    archive = tmp_path / "team.zip"
    backup.backup_team(team, archive)
    teams.delete_team(team)
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(crafted, "w") as sink:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["files"][0]["song"] = "../../other"
                data = json.dumps(manifest).encode()
            sink.writestr(item, data)

    with pytest.raises(backup.RestoreRefused, match="damaged or incomplete"):
        backup.restore_team(crafted)
    with pytest.raises(backup.RestoreRefused, match="damaged or incomplete"):
        backup.restored_name("teams/1/songs/x/../../../etc/passwd", 1, 2, "x")
    with pytest.raises(backup.RestoreRefused, match="not a team backup"):
        backup.restore_team(tmp_path / "nothing.zip")


@pytest.mark.django_db
def test_backup_names_an_unknown_team():
    with pytest.raises(CommandError, match="no team with the slug “nope”"):
        call_command("backup_team", "nope", "/tmp/never-written.zip")
