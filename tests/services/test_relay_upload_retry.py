"""A relay's upload-and-continue is two paid calls: when the continue step is refused for now
(429) and sent again, the upload is not paid for a second time (through the simulator's
fault layer and its ledger)."""

import pytest

from music.models import ProviderAccount, Song, Task, TaskState
from music.services import actions
from music.services import tasks as lifecycle
from music.upstream.relay import client as relay_module
from tests.helpers import run_queued

UPLOAD = "/suno/uploads/audio-url"
MUSIC = "/suno/submit/music"


@pytest.fixture
def membership(team, member, monkeypatch):
    monkeypatch.setattr(relay_module, "sleep", lambda seconds: None)
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    return member.memberships.get(team=team)


@pytest.fixture
def source_url(membership, simulator):
    simulator.max_duration = 10
    task = lifecycle.start_task(
        team=membership.team,
        user=membership.user,
        action="generate",
        params={"action": "generate", "prompt": "a song to upload", "model": "chirp-v4"},
    )
    run_queued()
    song = Song.objects.filter(task=task).first()
    return f"{simulator.base_url}/media/{song.upstream_id}.mp3"


def paid(simulator, path):
    return [j for j in simulator.fault_layer.ledger() if j["billable"] and j["path"] == path]


def continue_song(membership, url):
    words = {"style": "rock", "lyric": "[Verse]\nstill going", "model": "chirp-v4"}
    actions.upload_generate(membership, url, words, continue_at=3)
    run_queued()
    return Task.objects.get(action="upload_generate")


def test_a_retried_continue_step_continues_the_clip_already_uploaded(
    membership, source_url, simulator, monkeypatch
):
    simulator.fault_plan = {"rate_limit": 1, "paths": [MUSIC]}
    waits = []

    def back_off(seconds):  # the provider takes requests again after the first back-off
        waits.append(seconds)
        simulator.fault_plan = {}

    monkeypatch.setattr(lifecycle.sending, "sleep", back_off)
    task = continue_song(membership, source_url)

    assert len(waits) == 1  # the continue step was refused once and sent again
    assert task.state == TaskState.SUCCEEDED, task.error_message
    uploads, continued = paid(simulator, UPLOAD), paid(simulator, MUSIC)
    assert len(uploads) == 1
    assert [j["request"]["continue_clip_id"] for j in continued[-1:]] == uploads[0]["clip_ids"]
    assert simulator.fault_layer.hits["rate_limit"] == 1


def test_a_continue_step_refused_every_time_pays_for_one_upload(membership, source_url, simulator):
    simulator.fault_plan = {"rate_limit": 1, "paths": [MUSIC]}
    task = continue_song(membership, source_url)

    assert task.state == TaskState.FAILED
    assert simulator.fault_layer.hits["rate_limit"] == 3  # every attempt, as the client retries
    assert len(paid(simulator, UPLOAD)) == 1
    assert not [j for j in paid(simulator, MUSIC) if j["request"].get("continue_clip_id")]
