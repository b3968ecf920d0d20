"""The studio's actions against relay sellers that answer in other shapes (issue #11): the
whole path, from the action to the archived files, through httpx and the simulator."""

import pytest

from music.models import ProviderAccount, Relation, Song, SongState, Task, TaskState
from music.services import actions, tasks, writing
from music.upstream.relay import client as relay_module
from tests.helpers import run_queued

LYRIC = "[Verse]\nLine one here\nLine two here\n[Chorus]\nSing it now\nSing it loud"


@pytest.fixture(params=["reseller", "feed"])
def profile(request, simulator, monkeypatch):
    monkeypatch.setattr(relay_module, "sleep", lambda seconds: None)
    simulator.relay.use_profile(request.param)
    return request.param


@pytest.fixture
def membership(team, member):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    return member.memberships.get(team=team)


@pytest.fixture
def song(membership, profile, simulator):
    simulator.max_duration = 20
    task = tasks.start_task(
        team=membership.team,
        user=membership.user,
        action="generate",
        params={
            "action": "generate",
            "custom": True,
            "lyric": LYRIC,
            "style": "folk",
            "model": "chirp-v4-5",
        },
    )
    run_queued()
    return Song.objects.filter(task=task).order_by("created_at").first()


def test_upload_and_upload_and_continue(membership, song, simulator):
    url = f"{simulator.base_url}/media/{song.upstream_id}.mp3"
    actions.upload(membership, url)
    words = {"style": "rock", "instrumental": True, "model": "chirp-v4"}  # no lyrics at all
    actions.upload_generate(membership, url, words, continue_at=3)
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.state == SongState.SUCCEEDED and uploaded.audio_file
    assert abs(uploaded.duration - song.duration) < 0.3
    task = Task.objects.get(action="upload_generate")
    assert task.state == TaskState.SUCCEEDED, task.error_message
    assert task.request_payload["prompt"] == "rock"


def test_stems_answered_at_once(membership, song):
    task = actions.stems(membership, song)
    run_queued()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED, task.error_message
    stems = Song.objects.filter(parent=song, relation=Relation.STEM)
    assert stems.count() == 2 and all(s.audio_file for s in stems)
    assert task.request_payload == {"method": "GET", "path": f"/suno/act/stems/{song.upstream_id}"}


def test_wav_and_mp4_exports(membership, song):
    actions.export_wav(membership, song)
    actions.export_mp4(membership, song)
    run_queued()
    song.refresh_from_db()
    assert song.wav_file.open("rb").read(4) == b"RIFF"
    assert song.video_file.open("rb").read(8)[4:8] == b"ftyp"
    sent = Task.objects.get(action="wav").request_payload
    assert sent == {"method": "GET", "path": f"/suno/act/wav/{song.upstream_id}"}


def test_write_lyrics(membership, profile):
    result = writing.write_lyrics("a road trip", membership.team.accounts.get())
    assert result.ok, result.error
    assert "[Verse]" in result.lyrics.text
