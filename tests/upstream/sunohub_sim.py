"""What the simulator's tests of SunoHub actions share: a client on the simulator's own WSGI
app, `/suno/audios` asked for finished clips or for a refusal, and a clip's PCM stems."""

import contextlib

import httpx

from music import upstream
from music.upstream.simulator import audio

SR = audio.SAMPLE_RATE
LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"


@contextlib.contextmanager
def client(simulator, max_duration=None):
    """An httpx client on the simulator; `max_duration` keeps its songs short (seconds)."""
    if max_duration is not None:
        simulator.max_duration = max_duration
    with httpx.Client(
        transport=httpx.WSGITransport(app=simulator), base_url=upstream.SIMULATOR_BASE_URL
    ) as api:
        yield api


def audios(api, **body):
    """The clips of a `/suno/audios` request, all finished."""
    response = api.post("/suno/audios", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert all(clip["state"] == "succeeded" for clip in answer["data"])
    return answer["data"]


def refused(api, **body):
    """The message of a `/suno/audios` request refused as invalid (400)."""
    response = api.post("/suno/audios", json=body)
    assert response.status_code == 400, response.text
    return response.json()["error"]["message"]


def stems(simulator, clip_id):
    """The clip's (vocals, instrumental) int16 PCM, as the simulator keeps them."""
    return simulator.stems(simulator._clip(clip_id))
