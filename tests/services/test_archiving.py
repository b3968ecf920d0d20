"""Archiving off the poll path: a queue job per clip, idempotent, retried, re-sent from the row."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from music.models import Song, SongState, Task, TaskState
from music.services import media, tasks
from music.services.tasks import archiving, timing

GENERATE = {"action": "generate", "prompt": "archive me", "model": "chirp-v4"}


def media_gets(simulator):
    return [r for r in simulator.requests if r[0] == "GET" and r[1].startswith("/media/")]


def submitted(team, member):
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(task.pk)
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    return task


@pytest.fixture
def broker(db, monkeypatch):
    """Queue messages go to the real broker instead of running inline."""
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def take_messages(broker):
    out = []
    while batch := broker.dequeue():
        for ack_id, payload in batch:
            broker.acknowledge(ack_id)
            out.append(SignedPackage.loads(payload))
        if not Conf.ORM and len(out) > 100:
            break
    return out


def run(package):
    module, name = package["func"].rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(*package["args"], **package["kwargs"])


def test_a_poll_pass_enqueues_one_archive_job_per_clip_and_downloads_nothing(
    broker, team, member, simulator
):
    task = submitted(team, member)
    simulator.requests.clear()

    assert tasks.poll_due() == 1

    assert media_gets(simulator) == []  # the pass asked for the status, nothing else
    assert [r for r in simulator.requests if r[0] == "POST"] == [("POST", "/suno/tasks")]
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED  # the provider made it: the task is done
    songs = list(task.songs.all())
    assert {s.state for s in songs} == {SongState.SAVING}
    assert all(s.is_active for s in songs)  # pages keep refreshing while it is saved
    messages = take_messages(broker)
    assert sorted(m["func"] for m in messages) == ["music.tasks.archive_song"] * 2
    assert sorted(m["args"][0] for m in messages) == sorted(str(s.pk) for s in songs)

    for message in messages:  # at-least-once delivery: each one twice
        run(message)
        run(message)

    assert sorted(media_gets(simulator)) == sorted(
        [("GET", f"/media/{s.upstream_id}.mp3") for s in songs]
        + [("GET", f"/media/image_{s.upstream_id}.png") for s in songs]
    )
    for song in Song.objects.filter(task=task):
        assert song.state == SongState.SUCCEEDED
        assert song.audio_file.size > 10_000
        assert song.image_file.read(8) == b"\x89PNG\r\n\x1a\n"
        assert song.archive_due_at is None
    # Another poll of the finished task repeats nothing.
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    assert tasks.poll_due() == 0
    assert take_messages(broker) == []


def test_the_archive_job_is_safe_when_a_second_run_overtakes_it(
    broker, team, member, simulator, monkeypatch
):
    submitted(team, member)
    tasks.poll_due()
    song = Song.objects.filter(state=SongState.SAVING).first()
    real_fetch = media.fetch_clip_media
    inner = []

    def fetch_while_another_run_finishes(clip, account=None):
        fetched = real_fetch(clip, account)
        if not inner:  # while this run downloads, a second one runs to the end
            inner.append("running")
            inner[0] = archiving.archive(song.pk)
        return fetched

    monkeypatch.setattr(media, "fetch_clip_media", fetch_while_another_run_finishes)

    assert archiving.archive(song.pk) == "done elsewhere"

    assert inner == ["stored"]
    song.refresh_from_db()
    assert song.state == SongState.SUCCEEDED
    assert song.audio_file.name.endswith(".mp3")
    stored = song.audio_file.storage.listdir(song.audio_file.name.rsplit("/", 1)[0])[1]
    assert sorted(stored) == sorted(
        [song.audio_file.name.rsplit("/", 1)[1], song.image_file.name.rsplit("/", 1)[1]]
    )  # the overtaken run stored nothing of its own
    assert archiving.archive(song.pk) == "not saving"


def test_a_failed_download_is_retried_with_back_off_until_it_comes_through(team, member, simulator):
    simulator.fault_plan = {"media_error": 1.0}  # the provider's file server answers 503
    task = submitted(team, member)

    tasks.poll_due()  # archive jobs run inline (Q_SYNC) and fail

    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    songs = list(task.songs.all())
    now = timezone.now()
    for song in songs:
        assert song.state == SongState.SAVING
        assert song.archive_attempts == 1
        assert "trying again" in song.archive_error
        assert now < song.archive_due_at <= now + timing.archive_backoff(1)
    assert archiving.dispatch_due(now) == 0  # not due before its back-off

    later = now + timing.archive_backoff(1) + timedelta(seconds=1)
    assert archiving.dispatch_due(later) == 2  # still failing: backs off further
    for song in Song.objects.filter(task=task):
        assert (song.state, song.archive_attempts) == (SongState.SAVING, 2)

    simulator.fault_plan = {}
    assert tasks.sweep(now=later + timing.archive_backoff(2))["archives"] == 2
    for song in Song.objects.filter(task=task):
        assert song.state == SongState.SUCCEEDED
        assert song.archive_error == ""
        assert song.audio_file.size > 10_000


def test_a_refused_file_ends_saving_with_the_reason(team, member, simulator, settings):
    task = submitted(team, member)
    tasks.poll_due()
    song = task.songs.first()
    # Saving again, now from a host that is not allowed (a provider's link gone bad).
    Song.objects.filter(pk=song.pk).update(
        state=SongState.SAVING, audio_file="", audio_url="https://evil.example/x.mp3"
    )

    assert archiving.archive(song.pk) == "refused"

    song.refresh_from_db()
    assert song.state == SongState.SUCCEEDED
    assert "not allowed" in song.archive_error
    assert not song.audio_file


def test_a_worker_killed_between_enqueue_and_archive_still_ends_archived(
    broker, team, member, simulator
):
    task = submitted(team, member)
    tasks.poll_due()
    broker.purge_queue()  # the messages died with the worker (or a Redis restart)
    assert set(task.songs.values_list("state", flat=True)) == {SongState.SAVING}

    assert tasks.sweep()["archives"] == 0  # the jobs may still be on their way
    later = timezone.now() + timing.ARCHIVE_QUEUE_LEASE + timedelta(seconds=1)
    assert tasks.sweep(now=later)["archives"] == 2
    assert tasks.sweep(now=later)["archives"] == 0  # re-sent once, not at every sweep

    for message in take_messages(broker):
        run(message)
    for song in Song.objects.filter(task=task):
        assert song.state == SongState.SUCCEEDED
        assert song.audio_file.size > 10_000


def test_a_worker_killed_during_the_download_is_taken_over_after_its_lease(
    broker, team, member, simulator, monkeypatch
):
    task = submitted(team, member)
    tasks.poll_due()
    take_messages(broker)
    song = task.songs.first()

    def killed(clip, account=None):
        raise SystemExit("worker killed")

    real_fetch = media.fetch_clip_media
    monkeypatch.setattr(media, "fetch_clip_media", killed)
    with pytest.raises(SystemExit):
        archiving.archive(song.pk)  # dies mid-download, its lease taken
    monkeypatch.setattr(media, "fetch_clip_media", real_fetch)

    assert archiving.dispatch_due() == 0  # its lease still runs
    later = timezone.now() + timing.archive_work_lease() + timedelta(seconds=1)
    assert archiving.dispatch_due(later) == 2  # it, and its sibling whose message was lost
    for message in take_messages(broker):
        run(message)
    for song in Song.objects.filter(task=task):
        assert song.state == SongState.SUCCEEDED
        assert song.audio_file.size > 10_000


def test_a_download_failing_past_the_grace_period_ends_saving_with_the_reason(
    team, member, simulator
):
    """Retries stop once a day's grace is over: the song stays, saying why it has no file."""
    simulator.fault_plan = {"media_error": 1.0}
    task = submitted(team, member)
    tasks.poll_due()
    song = task.songs.first()
    assert song.state == SongState.SAVING
    long_ago = timezone.now() - timing.late_grace() - timing.deadline() - timedelta(minutes=1)
    Song.objects.filter(pk=song.pk).update(created_at=long_ago)

    assert archiving.archive(song.pk) == "refused"

    song.refresh_from_db()
    assert song.state == SongState.SUCCEEDED
    assert song.archive_due_at is None
    assert song.archive_error.startswith("The provider's file could not be copied")
    assert not song.audio_file


def test_a_download_failing_within_the_deadline_and_grace_is_still_retried(team, member, simulator):
    """The grace counts from the task's deadline: a song made just before it is still tried."""
    simulator.fault_plan = {"media_error": 1.0}
    task = submitted(team, member)
    tasks.poll_due()
    song = task.songs.first()
    tried = song.archive_attempts
    recent = timezone.now() - timing.late_grace() - timing.deadline() + timedelta(minutes=1)
    Song.objects.filter(pk=song.pk).update(created_at=recent)

    assert archiving.archive(song.pk) == "retry"
    song.refresh_from_db()
    assert (song.state, song.archive_attempts) == (SongState.SAVING, tried + 1)


def test_a_song_that_ended_while_its_file_was_downloading_is_left_as_it_ended(
    team, member, simulator, monkeypatch
):
    """Another run (or a failure of its task) got there first: the download is dropped."""
    task = submitted(team, member)
    tasks.poll_due()
    song = task.songs.first()
    Song.objects.filter(pk=song.pk).update(state=SongState.SAVING, audio_file="")
    real = media.fetch_clip_media

    def fetch_while_it_fails(clip, account=None):
        fetched = real(clip, account)
        Song.objects.filter(pk=song.pk).update(state=SongState.FAILED)
        return fetched

    monkeypatch.setattr(archiving.media, "fetch_clip_media", fetch_while_it_fails)
    assert archiving.archive(song.pk) == "done elsewhere"
    song.refresh_from_db()
    assert (song.state, bool(song.audio_file)) == (SongState.FAILED, False)


def test_a_long_refusal_is_cut_to_its_column(team, member, simulator):
    task = submitted(team, member)
    tasks.poll_due()
    song = task.songs.first()
    host = ".".join(["a" * 60] * 5)  # a 304-character host name
    Song.objects.filter(pk=song.pk).update(
        state=SongState.SAVING, audio_file="", audio_url=f"https://{host}/x.mp3"
    )
    assert archiving.archive(song.pk) == "refused"
    song.refresh_from_db()
    assert song.archive_error.startswith(f"Media host {host[:40]}")
    assert len(song.archive_error) == 300


def test_the_earliest_saving_songs_work_is_when_the_poller_wakes(team, member):
    from tests.factories import SongFactory

    assert archiving.next_due() is None
    soon = timezone.now() + timedelta(seconds=5)
    SongFactory(team=team, state=SongState.SAVING, archive_due_at=soon + timedelta(seconds=9))
    SongFactory(team=team, state=SongState.SAVING, archive_due_at=soon)
    SongFactory(team=team, state=SongState.SUCCEEDED, archive_due_at=soon - timedelta(hours=1))
    assert archiving.next_due() == soon
