"""mashup, inspo and the lyrics helpers in the simulator (issue #15): refused like the docs
say, and the audio takes after its sources, measured on the clips' own PCM."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from music import upstream
from music.upstream.base import UpstreamError
from music.upstream.simulator import media
from tests.upstream.sunohub_sim import client

RED = "[Verse]\nRed lights on the water\nRed sails in the bay\n[Chorus]\nRed sky tonight"
BLUE = "[Verse]\nBlue birds on the wire\nBlue rain on the road\n[Chorus]\nBlue moon tonight"


@pytest.fixture
def api(simulator):
    with client(simulator, max_duration=8) as api:
        yield api


def post(api, path, status=200, **body):
    response = api.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def made(api, **body):
    answer = post(api, "/suno/audios", **body)
    assert all(clip["state"] == "succeeded" for clip in answer["data"])
    return answer["data"]


def refused(api, status=400, **body):
    return post(api, "/suno/audios", status, **body)["error"]["message"]


def song(api, lyric, style):
    body = {"action": "generate", "custom": True, "lyric": lyric, "style": style}
    return made(api, **body, title="T", model="chirp-v4")[0]


def stems(simulator, clip_id):
    return [media.to_float(s) for s in simulator.stems(simulator._clip(clip_id))]


def corr(x, y):
    """How alike two signals are from their first sample (1: the same up to a gain)."""
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    return float(np.dot(x, y) / np.sqrt(np.dot(x, x) * np.dot(y, y)))


@pytest.fixture
def pair(api):
    return song(api, RED, "rock"), song(api, BLUE, "jazz")


# --- mashup ---------------------------------------------------------------------------------
def test_a_mashup_is_one_songs_band_under_the_others_voice(api, simulator, pair):
    a, b = pair
    clips = made(
        api,
        action="mashup",
        mashup_audio_ids=[a["id"], b["id"]],
        custom=True,
        lyric="[Verse]\nRed and blue",
        model="chirp-v4",
    )
    assert len(clips) == 2
    (av, ai), (bv, bi) = stems(simulator, a["id"]), stems(simulator, b["id"])
    (v0, i0), (v1, i1) = (stems(simulator, clip["id"]) for clip in clips)
    # Take A: A's band, B's singer; take B the other way round (sample for sample).
    assert corr(i0, ai) > 0.99 and corr(v0, bv) > 0.99
    assert corr(i1, bi) > 0.99 and corr(v1, av) > 0.99
    assert abs(corr(i0, bi)) < 0.5
    # On the mix as heard, both parents are there; an unrelated song is not.
    other = song(api, "[Verse]\nGreen fields", "folk")
    mix, mix_a, mix_b = v0 + i0, av + ai, bv + bi
    ov, oi = stems(simulator, other["id"])
    assert corr(mix, mix_a) > 0.3 and corr(mix, mix_b) > 0.3
    assert abs(corr(mix, ov + oi)) < 0.2
    assert clips[0]["lyric"] == "[Verse]\nRed and blue"


def test_a_described_mashup_sings_both_songs_lines(api, pair):
    a, b = pair
    clip = made(
        api, action="mashup", mashup_audio_ids=[a["id"], b["id"]], prompt="both", model="chirp-v4"
    )[0]
    assert "Red sails in the bay" in clip["lyric"] and "Blue rain on the road" in clip["lyric"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mashup_audio_ids": ["only-one"]}, "exactly 2"),
        ({"mashup_audio_ids": "a,b"}, "must be a list"),
        ({"same": True}, "two different songs"),
        ({"custom": False, "lyric": ""}, "gpt_description_prompt is required"),
        ({"lyric": ""}, "lyric is required"),
    ],
)
def test_mashups_are_refused_as_the_service_does(api, pair, change, message):
    a, b = pair
    body = {
        "action": "mashup",
        "mashup_audio_ids": [a["id"], a["id"] if change.pop("same", False) else b["id"]],
        "custom": True,
        "lyric": "[Verse]\nla",
        "model": "chirp-v4",
        **change,
    }
    assert message in refused(api, **body)


def test_a_mashup_of_an_unknown_song_is_not_found(api, pair):
    body = {"mashup_audio_ids": [pair[0]["id"], "nope"], "prompt": "x", "model": "chirp-v4"}
    assert "No such audio" in refused(api, 404, action="mashup", **body)


# --- lyrics helpers -------------------------------------------------------------------------
def test_mashup_lyrics_merge_the_lines_of_both():
    provider = upstream.get_provider()
    merged = provider.mashup_lyrics(RED, BLUE)
    lines = merged.text.splitlines()
    for line in (*RED.splitlines(), *BLUE.splitlines()):
        assert line in lines
    # Each song's lines keep their order, the two songs' sections in turn.
    assert lines.index("Red sails in the bay") < lines.index("Blue birds on the wire")
    assert lines.index("Blue birds on the wire") < lines.index("Red sky tonight")
    assert merged.title == "Lyrics Mashup"


def test_mashup_lyrics_need_both(api):
    answer = post(api, "/suno/mashup-lyrics", 400, lyrics_a=RED, lyrics_b=" ")
    assert "`lyrics_b` is required" in answer["error"]["message"]


def test_the_lyrics_model_is_sent_and_checked():
    provider = upstream.get_provider()
    default = provider.lyrics("rain on the roof", "default").text
    assert provider.lyrics("rain on the roof").text == default
    assert provider.lyrics("rain on the roof", "remi-v1").text != default
    with pytest.raises(UpstreamError) as info:
        provider.lyrics("rain on the roof", "chirp-v3")
    assert "default, remi-v1" in info.value.message + str(info.value.details)


# --- inspo ----------------------------------------------------------------------------------
class Served:
    """A reference recording on a real HTTP server on loopback (the studio's public URL)."""

    def __init__(self, data):
        self.data, self.gets = data, []
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                served.gets.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(served.data)))
                self.end_headers()
                self.wfile.write(served.data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def reference(api, simulator, settings):
    clip = song(api, RED, "rock")
    pcm = simulator.mix(simulator._clip(clip["id"]))
    served = Served(media.wav_bytes(pcm))
    # The simulator may fetch from the studio's public URL only (like callbacks).
    settings.STUDIO_PUBLIC_URL = served.url
    yield served, media.to_float(pcm)
    served.close()


def inspo(api, urls, **extra):
    body = {"action": "inspo", "audio_urls": urls, "prompt": "a bright song", "model": "chirp-v4"}
    return made(api, **{**body, **extra})


def test_inspo_fetches_its_references_and_takes_after_them(api, simulator, reference):
    served, ref = reference
    url = f"{served.url}/files/songs/x/token/audio.wav"
    strong = inspo(api, [url], audio_weight=0.9)
    weak = inspo(api, [url], audio_weight=0.0, title="Weak")
    assert served.gets == ["/files/songs/x/token/audio.wav"] * 2
    plain = made(api, action="generate", prompt="a bright song", model="chirp-v4")
    likeness = {
        name: corr(stems(simulator, clips[0]["id"])[1], np.tile(ref, 4))
        for name, clips in (("strong", strong), ("weak", weak), ("plain", plain))
    }
    # The references' own tempo, key and timbre are in the band: more with more weight.
    assert likeness["strong"] > 0.8
    assert 0.25 < likeness["weak"] < likeness["strong"]
    assert abs(likeness["plain"]) < 0.15
    assert strong[0]["title"] == "Bright Song" and weak[0]["title"] == "Weak"


@pytest.mark.parametrize(
    ("urls", "message"),
    [
        ([], "1 to 4"),
        (["http://x/1"] * 5, "1 to 4"),
        (["ftp://x/a.mp3"], "http(s)"),
        (["http://10.1.2.3/a.mp3"], "not allowed"),
    ],
)
def test_inspo_is_refused_as_the_service_does(api, urls, message):
    assert message in refused(api, action="inspo", audio_urls=urls, model="chirp-v4")


def test_an_unreachable_reference_is_refused(api, reference):
    served, _ = reference
    served.data = b"not audio at all"
    message = refused(api, action="inspo", audio_urls=[f"{served.url}/a.wav"], model="chirp-v4")
    assert "`audio_urls`" in message
