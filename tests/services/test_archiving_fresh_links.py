"""A clip whose MP3 link has expired is still saved: the archiver asks the provider for a
fresh link once (`/suno/mp3`) and downloads from it (issue #15)."""

from django.utils import timezone

from music.models import ProviderAccount, Song, SongState, Task
from music.services import tasks
from music.services.tasks import archiving
from tests.helpers import make_song

GENERATE = {"action": "generate", "prompt": "archive me", "model": "chirp-v4"}


def posts(simulator, path):
    return [r for r in simulator.requests if r == ("POST", path)]


def test_an_expired_link_is_renewed_once_and_the_song_is_saved(team, member, simulator):
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(task.pk)
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    simulator.faults.expire_links = True  # the CDN links in the answer 404

    tasks.poll_due()  # archive jobs run inline (Q_SYNC)

    songs = list(Song.objects.filter(task=task))
    assert len(songs) == 2
    for song in songs:
        assert song.state == SongState.SUCCEEDED, song.archive_error
        assert song.audio_file.name.endswith(".mp3") and not song.archive_error
        assert "/media/fresh-" in song.audio_url  # the next look starts from the fresh link
    assert len(posts(simulator, "/suno/mp3")) == 2  # once per clip


def test_a_link_that_works_asks_for_no_fresh_one(team, member, simulator):
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(task.pk)
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    assert all(s.state == SongState.SUCCEEDED for s in Song.objects.filter(task=task))
    assert posts(simulator, "/suno/mp3") == []


def test_a_relay_has_no_way_to_renew_a_link(team, member, simulator):
    account = ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="https://relay.example.com"
    )
    song = make_song(team, member)
    song.account = account
    assert archiving.fresh_link(song) == ""
    assert posts(simulator, "/suno/mp3") == []
