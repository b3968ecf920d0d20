"""all_stems, extract_stem and add_stem in the simulator (issue #15): refused like the docs
say, and the audio does what each promises, measured on the clips' own PCM."""

import numpy as np
import pytest

from music.upstream.simulator import media
from music.upstream.simulator.audio import parts
from tests.upstream.sunohub_sim import LYRIC, SR, audios, client, refused


@pytest.fixture
def api(simulator):
    with client(simulator, max_duration=8) as api:
        yield api


@pytest.fixture
def song(api):
    # Piano comping, a string pad, a pop kit with shakers: many stems have material.
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "title": "Test"}
    return audios(api, **body, style="pop piano strings", model="chirp-v4")[0]


def pcm(simulator, clip_id):
    vocals, instrumental = simulator.stems(simulator._clip(clip_id))
    return vocals.astype(np.int64), instrumental.astype(np.int64)


def rms(x):
    return float(np.sqrt(np.mean(np.square(np.asarray(x, dtype=np.float64)))))


def test_twelve_stems_sum_to_the_mix_at_pcm_level(api, simulator, song):
    clips = audios(api, action="all_stems", audio_id=song["id"])
    titles = [clip["title"] for clip in clips]
    assert titles == [f"Test ({parts.STEM_TITLES[s]})" for s in parts.STEM_TYPES]
    v, i = pcm(simulator, song["id"])
    mix = v + i
    total = np.zeros_like(mix)
    loud = {}
    for stem, clip in zip(parts.STEM_TYPES, clips, strict=True):
        sv, si = pcm(simulator, clip["id"])
        assert len(sv) == len(mix)
        total += sv + si
        loud[stem] = rms(sv + si) / rms(mix)
    # Exact in integers: the stems are a division of the song, not a new rendering.
    assert np.array_equal(total, mix)
    # Each stem carries its instrument; those the song has none of are silent.
    assert loud["vocals"] > 0.2
    for stem in ("drums", "bass", "keyboard", "strings", "fx"):
        assert loud[stem] > 0.01, stem
    for stem in ("backing_vocals", "brass"):
        assert loud[stem] < 1e-3, stem
    # The vocals stem is the song's own singing, untouched.
    sv, si = pcm(simulator, clips[0]["id"])
    assert np.array_equal(sv, v) and not si.any()


def test_the_decoded_mp3_stems_sum_to_the_decoded_mix(api, simulator, song):
    clips = audios(api, action="all_stems", audio_id=song["id"])
    decoded = [media.decode(api.get(c["audio_url"]).content) for c in clips]
    mix = media.decode(api.get(song["audio_url"]).content)
    n = min(len(mix), *(len(d) for d in decoded))
    total = sum(d[:n].astype(np.float64) for d in decoded)
    # MP3 adds its own small error per file: twelve of them stay well under the mix.
    assert rms(total - mix[:n]) < 0.05 * rms(mix[:n])


def test_extract_stem_is_exactly_that_stem_and_the_rest(api, simulator, song):
    stems = audios(api, action="all_stems", audio_id=song["id"])
    bass = stems[parts.STEM_TYPES.index("bass")]
    clips = audios(
        api, action="extract_stem", audio_id=song["id"], stem_type="bass", audio_format="mp3"
    )
    assert [c["title"] for c in clips] == ["Test (Bass)", "Test (Without Bass)"]
    iv, ii = pcm(simulator, clips[0]["id"])
    bv, bi = pcm(simulator, bass["id"])
    assert np.array_equal(iv, bv) and np.array_equal(ii, bi)
    rv, ri = pcm(simulator, clips[1]["id"])
    v, i = pcm(simulator, song["id"])
    assert np.array_equal(iv + ii + rv + ri, v + i)
    assert rms(ii) > 0.01 * rms(v + i)


def low_share(x, cutoff=200.0):
    spectrum = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    return float(spectrum[freqs < cutoff].sum() / spectrum.sum())


def test_add_stem_layers_the_instrument_over_the_song(api, simulator, song):
    clips = audios(api, action="add_stem", audio_id=song["id"], stem_type="bass")
    assert len(clips) == 2
    v, i = pcm(simulator, song["id"])
    av, ai = pcm(simulator, clips[0]["id"])
    assert len(ai) == len(i)
    # The song is all there (only scaled for headroom), and a bass line is added under it.
    scale = float(np.dot(ai, i) / np.dot(i, i))
    added = ai - scale * i
    assert rms(added) > 0.2 * rms(v + i)
    assert low_share(added) > 0.8
    assert low_share(added) > low_share(i)
    drums = audios(api, action="add_stem", audio_id=song["id"], stem_type="percussion")
    _, di = pcm(simulator, drums[0]["id"])
    assert low_share(di - float(np.dot(di, i) / np.dot(i, i)) * i) < 0.2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "extract_stem"}, "`stem_type` is required."),
        ({"action": "extract_stem", "stem_type": "kazoo"}, "`stem_type` must be one of"),
        (
            {"action": "extract_stem", "stem_type": "bass", "audio_format": "wav"},
            "`audio_format` supports only mp3.",
        ),
        ({"action": "add_stem", "stem_type": "tuba"}, "`stem_type` must be one of"),
    ],
)
def test_stem_requests_are_refused_like_the_docs_say(api, song, body, message):
    assert message in refused(api, audio_id=song["id"], **body)


def test_all_stems_needs_a_finished_song(api):
    assert "audio_id" in refused(api, action="all_stems")
