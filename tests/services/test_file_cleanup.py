"""Deleting a song, a persona or a team removes the stored files, once the delete commits."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from music.models import Persona, Song
from music.services import file_cleanup, teams
from tests.factories import SongFactory, TeamFactory


def stored_song(team, **kwargs):
    """A song with every media field stored, plus a stray file left in its folder."""
    song = SongFactory(team=team, **kwargs)
    for field, name in [
        ("audio_file", "audio.mp3"),
        ("image_file", "cover.jpeg"),
        ("wav_file", "audio.wav"),
        ("video_file", "video.mp4"),
    ]:
        getattr(song, field).save(name, ContentFile(f"{field} of {song.pk}".encode()), save=False)
    song.save()
    # An earlier export replaced by a newer one stays under the song's folder, unreferenced.
    default_storage.save(
        f"{file_cleanup.song_folder(team.pk, song.pk)}old/audio_1.wav", ContentFile(b"old")
    )
    return song


def names_of(song):
    return file_cleanup.song_file_names(song) + [
        f"{file_cleanup.song_folder(song.team_id, song.pk)}old/audio_1.wav"
    ]


def exist(names):
    return [name for name in names if default_storage.exists(name)]


@pytest.fixture
def team(db):
    return TeamFactory()


def test_deleting_a_song_removes_its_files_after_commit(team, django_capture_on_commit_callbacks):
    song = stored_song(team)
    names = names_of(song)
    assert exist(names) == names
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        song.delete()
        assert exist(names) == names  # not before the commit
    assert callbacks
    assert exist(names) == []
    assert not default_storage.exists(file_cleanup.song_folder(team.pk, song.pk))


def test_a_rolled_back_delete_keeps_the_files(team, django_capture_on_commit_callbacks):
    song = stored_song(team)
    names = names_of(song)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Song.objects.filter(pk=song.pk).delete()
        raise RuntimeError("changed my mind")
    assert callbacks == []
    assert Song.objects.filter(pk=song.pk).exists()
    assert exist(names) == names


def test_deleting_a_team_removes_all_its_songs_files_and_folder(
    team, django_capture_on_commit_callbacks
):
    songs = [stored_song(team) for _ in range(3)]
    Persona.objects.create(team=team, name="Voice", upstream_id="p-1", source_song=songs[0])
    default_storage.save(f"teams/{team.pk}/misc/note.txt", ContentFile(b"x"))
    other_team = TeamFactory()
    other = stored_song(other_team)
    other_names = names_of(other)
    names = [name for song in songs for name in names_of(song)]

    with django_capture_on_commit_callbacks(execute=True):
        teams.delete_team(team)

    assert not Song.objects.filter(team_id=team.pk).exists()
    assert exist(names) == []
    assert not default_storage.exists(f"teams/{team.pk}/misc/note.txt")
    assert not default_storage.exists(file_cleanup.team_folder(team.pk))
    assert exist(other_names) == other_names  # another team's files are untouched


def test_deleting_a_persona_then_its_song_works(team, django_capture_on_commit_callbacks):
    song = stored_song(team)
    persona = Persona.objects.create(team=team, name="Voice", upstream_id="p-2", source_song=song)
    names = names_of(song)
    with django_capture_on_commit_callbacks(execute=True):
        persona.delete()
    assert exist(names) == names  # a persona has no files; its song keeps its own
    with django_capture_on_commit_callbacks(execute=True):
        song.delete()
    assert exist(names) == []


def test_a_file_kept_outside_the_folder_stays_while_another_song_uses_it(
    team, django_capture_on_commit_callbacks
):
    shared = default_storage.save("shared/cover.jpeg", ContentFile(b"art"))
    first = SongFactory(team=team, image_file=shared)
    SongFactory(team=team, image_file=shared)
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert default_storage.exists(shared)
    with django_capture_on_commit_callbacks(execute=True):
        Song.objects.filter(team=team).delete()
    assert not default_storage.exists(shared)


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_removes_the_files():
    team = TeamFactory()
    song = stored_song(team)
    names = names_of(song)
    with transaction.atomic():
        song.delete()
        assert exist(names) == names
    assert exist(names) == []
