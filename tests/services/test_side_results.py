"""A side action's synchronous answer (an export, the timing, a persona): stored once, on the
task still waiting for it; a file that did not come through is looked up again, a file that
is not media is said on the song."""

from datetime import timedelta

import pytest
from django.utils import timezone

from music.models import Song, SongState, Task, TaskState
from music.services import tasks
from music.services.tasks import timing
from music.upstream.base import SideResult
from tests.factories import SongFactory, TaskFactory
from tests.localserver import Route
from tests.mediafiles import mp3_frames

HTML = b"<!doctype html><title>not a song</title>"


@pytest.fixture
def song(team, member):
    return SongFactory(team=team, author=member, state=SongState.SUCCEEDED, title="Harbour")


def export(song, action, state=TaskState.SUBMITTING, **fields):
    return TaskFactory(
        team=song.team,
        created_by=song.author,
        source_song=song,
        action=action,
        state=state,
        params={"action": action, "audio_id": song.upstream_id},
        **fields,
    )


def test_an_export_that_is_not_media_is_said_on_the_song_and_the_task_ends(cdn, song):
    """Paid for and answered: the task is done; the song says why its WAV is missing."""
    cdn.routes["/x.wav"] = Route(HTML, headers={"Content-Type": "audio/wav"})
    task = export(song, "wav")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="wav-1", file_url=cdn.url("/x.wav")))
    task.refresh_from_db()
    song.refresh_from_db()
    assert (task.state, task.upstream_id, task.progress) == (TaskState.SUCCEEDED, "wav-1", 100)
    assert not song.wav_file
    assert song.archive_error == (
        "The provider's file is not audio or video the studio can keep, so it was not saved."
    )


def test_a_video_is_stored_with_its_link_kept(cdn, song):
    cdn.routes["/v.mp4"] = Route(mp3_frames(0.3), headers={"Content-Type": "video/mp4"})
    task = export(song, "mp4")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="mp4-1", file_url=cdn.url("/v.mp4")))
    song.refresh_from_db()
    assert song.video_file and song.video_url == cdn.url("/v.mp4")
    assert Task.objects.get(pk=task.pk).state == TaskState.SUCCEEDED


def test_an_export_whose_file_did_not_come_through_is_looked_up_again(cdn, song):
    cdn.routes["/busy.wav"] = Route(b"", status=503)
    task = export(song, "wav")
    before = timezone.now()
    tasks.apply_side_result(task.pk, SideResult(upstream_id="wav-2", file_url=cdn.url("/busy.wav")))
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED
    assert "trying again" in task.error_message
    assert task.next_poll_at >= before + timing.FIRST_POLL_AFTER
    assert not Song.objects.get(pk=song.pk).wav_file


def test_a_late_watched_export_whose_file_did_not_come_through_is_looked_at_again(cdn, song):
    cdn.routes["/busy.wav"] = Route(b"", status=503)
    later = timezone.now() + timedelta(hours=1)
    task = export(song, "wav", state=TaskState.FAILED, late_until=later, next_poll_at=later)
    before = timezone.now()
    tasks.apply_side_result(task.pk, SideResult(upstream_id="wav-3", file_url=cdn.url("/busy.wav")))
    task.refresh_from_db()
    assert task.state == TaskState.FAILED  # still watched: the next look may bring the file
    assert before + timing.FIRST_POLL_AFTER <= task.next_poll_at < later


def test_a_late_answer_completes_a_watched_task_and_says_so(cdn, song):
    cdn.routes["/late.wav"] = Route(mp3_frames(0.3), headers={"Content-Type": "audio/mpeg"})
    later = timezone.now() + timedelta(hours=1)
    task = export(song, "wav", state=TaskState.FAILED, late_until=later, upstream_id="wav-4")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="other", file_url=cdn.url("/late.wav")))
    task.refresh_from_db()
    assert (task.state, task.upstream_id, task.late_until) == (TaskState.SUCCEEDED, "wav-4", None)
    assert task.error_message == "" and task.error_code == ""
    assert list(task.events.values_list("state", "code")) == [(TaskState.SUCCEEDED, "late")]


def test_an_answer_for_a_finished_task_changes_nothing(cdn, song):
    task = export(song, "wav", state=TaskState.SUCCEEDED, upstream_id="wav-5")
    cdn.routes["/again.wav"] = Route(mp3_frames(0.3), headers={"Content-Type": "audio/mpeg"})
    tasks.apply_side_result(task.pk, SideResult(upstream_id="x", file_url=cdn.url("/again.wav")))
    assert not Song.objects.get(pk=song.pk).wav_file
    assert cdn.hits == []  # not even downloaded
    assert not task.events.exists()


def test_an_over_long_job_id_is_cut_to_its_column(cdn, song):
    cdn.routes["/a.wav"] = Route(mp3_frames(0.3), headers={"Content-Type": "audio/mpeg"})
    task = export(song, "wav")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="j" * 150, file_url=cdn.url("/a.wav")))
    assert Task.objects.get(pk=task.pk).upstream_id == "j" * 100


def test_an_export_refused_with_a_long_reason_is_cut_to_its_column(song):
    host = ".".join(["b" * 60] * 5)
    task = export(song, "wav")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="w", file_url=f"https://{host}/x.wav"))
    song.refresh_from_db()
    assert song.archive_error.startswith(f"Media host {host[:40]}")
    assert len(song.archive_error) == 300


def test_a_late_upload_answer_records_its_job(team, member, simulator):
    """An upload that failed for want of an answer, watched late, learns its job id."""
    from music.upstream.base import Clip, ClipState

    later = timezone.now() + timedelta(hours=1)
    task = TaskFactory(
        team=team,
        created_by=member,
        action="upload",
        state=TaskState.FAILED,
        late_until=later,
        params={"action": "upload", "audio_url": "https://x.example/a.mp3"},
    )
    clip = Clip(id="up-late", state=ClipState.SUCCEEDED, title="Demo")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="up-job", clip=clip))
    task.refresh_from_db()
    assert task.upstream_id == "up-job"
    assert Song.objects.filter(upstream_id="up-late", team=team).exists()


def test_a_wav_export_leaves_the_video_link_alone_and_its_event_is_no_late_one(cdn, song):
    Song.objects.filter(pk=song.pk).update(video_url="https://cdn1.suno.ai/v.mp4")
    cdn.routes["/w.wav"] = Route(mp3_frames(0.3), headers={"Content-Type": "audio/mpeg"})
    task = export(song, "wav")
    tasks.apply_side_result(task.pk, SideResult(upstream_id="wav-6", file_url=cdn.url("/w.wav")))
    song.refresh_from_db()
    assert song.wav_file and not song.video_file
    assert song.video_url == "https://cdn1.suno.ai/v.mp4"
    assert list(task.events.values_list("state", "code")) == [(TaskState.SUCCEEDED, "")]


def upload_task(team, member):
    return TaskFactory(
        team=team,
        created_by=member,
        action="upload",
        state=TaskState.SUBMITTING,
        params={"action": "upload", "audio_url": "https://x.example/a.mp3"},
    )


def test_an_upload_keeps_its_job_id_or_else_its_clips(team, member, simulator):
    from music.upstream.base import Clip, ClipState

    with_job = upload_task(team, member)
    clip = Clip(id="up-clip-1", state=ClipState.SUCCEEDED)
    tasks.apply_side_result(with_job.pk, SideResult(upstream_id="u" * 120, clip=clip))
    assert Task.objects.get(pk=with_job.pk).upstream_id == "u" * 100
    without = upload_task(team, member)
    clip = Clip(id="up-clip-2", state=ClipState.SUCCEEDED)
    tasks.apply_side_result(without.pk, SideResult(clip=clip))
    assert Task.objects.get(pk=without.pk).upstream_id == "up-clip-2"


def test_the_lyric_timings_waveform_is_kept_to_four_decimals(song):
    from music.models import LyricTiming
    from music.upstream.base import Timing

    task = export(song, "timing")
    timing_answer = Timing(words=[], waveform=[0.123456, 0.5, 0.99999])
    tasks.apply_side_result(task.pk, SideResult(upstream_id="t-1", timing=timing_answer))
    assert LyricTiming.objects.get(song=song).waveform == [0.1235, 0.5, 1.0]
