"""remaster, adjust_speed and samples in the simulator (issue #15): refused like the docs say,
and the audio does what each promises, measured on the clips' own PCM."""

import numpy as np
import pytest

from music.upstream.simulator import media
from tests.upstream.sunohub_sim import LYRIC, SR, audios, client, refused, stems


@pytest.fixture
def api(simulator):
    with client(simulator, max_duration=8) as api:
        yield api


@pytest.fixture
def song(api):
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": "pop", "title": "Test"}
    return audios(api, **body, is_pro=True, model="chirp-v4")[0]


def mix(simulator, clip_id):
    return media.to_float(simulator.mix(simulator._clip(clip_id)))


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def pitch(x, size=2048):
    """The median strongest frequency (60 Hz to 2 kHz) of the sung parts of a vocal stem."""
    freqs = np.fft.rfftfreq(size, 1 / SR)
    band = (freqs > 60) & (freqs < 2000)
    found = []
    for start in range(0, len(x) - size, size // 2):
        spectrum = np.abs(np.fft.rfft(x[start : start + size] * np.hanning(size)))[band]
        if spectrum.max() > 1.0:
            found.append(freqs[band][np.argmax(spectrum)])
    assert len(found) > 10, "too little singing to measure"
    return float(np.median(found))


# --- remaster -------------------------------------------------------------------------------
@pytest.mark.parametrize(("variation", "gain"), [("subtle", 1.5), ("normal", 3.0), ("high", 4.5)])
def test_a_remaster_is_louder_by_its_variation_and_never_clips(
    api, simulator, song, variation, gain
):
    clips = audios(
        api,
        action="remaster",
        audio_id=song["id"],
        model="chirp-v5",
        variation_category=variation,
        is_pro=True,
    )
    assert len(clips) == 2
    before = mix(simulator, song["id"])
    louder = [rms_db(mix(simulator, c["id"])) - rms_db(before) for c in clips]
    assert louder[0] == pytest.approx(gain, abs=0.25)
    assert louder[1] > louder[0] + 0.5  # the second take is another, louder master
    for clip in clips:
        assert clip["duration"] == song["duration"]
        assert clip["title"] == "Test (Remastered)"
        assert np.max(np.abs(mix(simulator, clip["id"]))) <= media.HEADROOM + 1e-4
        vocals, instrumental = stems(simulator, clip["id"])
        assert np.array_equal(
            media.mix(vocals, instrumental), simulator.mix(simulator._clip(clip["id"]))
        )


def test_remaster_defaults_to_a_normal_master(api, simulator, song):
    clips = audios(
        api, action="remaster", audio_id=song["id"], model="chirp-v4-5-plus", is_pro=True
    )
    gain = rms_db(mix(simulator, clips[0]["id"])) - rms_db(mix(simulator, song["id"]))
    assert gain == pytest.approx(3.0, abs=0.25)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "chirp-v4"}, "chirp-v4-5-plus and newer"),
        ({"model": "chirp-v4-5"}, "chirp-v4-5-plus and newer"),
        ({"model": "chirp-v5", "variation_category": "wild"}, "one of: high, normal, subtle"),
        ({"model": "chirp-v4-5-plus", "variation_category": "high"}, "chirp-v5 or a newer"),
        ({"model": "chirp-v5", "is_pro": False}, "Pro pool"),
    ],
)
def test_remaster_refusals(api, song, body, message):
    assert message in refused(
        api, action="remaster", audio_id=song["id"], **{"is_pro": True, **body}
    )


# --- adjust_speed ---------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [2.0, 0.5])
def test_a_speed_change_keeping_pitch_changes_duration_only(api, simulator, song, factor):
    (clip,) = audios(
        api, action="adjust_speed", audio_id=song["id"], speed_multiplier=factor, keep_pitch=True
    )
    assert clip["duration"] == pytest.approx(song["duration"] / factor, abs=0.01)
    vocals = media.to_float(stems(simulator, clip["id"])[0])
    source = media.to_float(stems(simulator, song["id"])[0])
    assert pitch(vocals) == pytest.approx(pitch(source), rel=0.03)
    assert clip["title"] == f"Test ({factor:g}x)"


@pytest.mark.parametrize("factor", [1.5, 0.5])
def test_a_speed_change_without_keeping_pitch_moves_the_pitch_with_it(api, simulator, song, factor):
    (clip,) = audios(
        api,
        action="adjust_speed",
        audio_id=song["id"],
        speed_multiplier=factor,
        keep_pitch=False,
        title="Chipmunks",
    )
    assert clip["duration"] == pytest.approx(song["duration"] / factor, abs=0.01)
    vocals = media.to_float(stems(simulator, clip["id"])[0])
    source = media.to_float(stems(simulator, song["id"])[0])
    assert pitch(vocals) / pitch(source) == pytest.approx(factor, rel=0.04)
    assert clip["title"] == "Chipmunks"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "`speed_multiplier` is required"),
        ({"speed_multiplier": 0.2}, "between 0.25 and 4"),
        ({"speed_multiplier": 4.5}, "between 0.25 and 4"),
        ({"speed_multiplier": "fast"}, "must be a number"),
        ({"speed_multiplier": 2, "keep_pitch": "yes"}, "true or false"),
    ],
)
def test_adjust_speed_refusals(api, song, body, message):
    assert message in refused(api, action="adjust_speed", audio_id=song["id"], **body)


# --- samples --------------------------------------------------------------------------------
def test_a_sample_is_exactly_the_range_asked_for(api, simulator, song):
    (clip,) = audios(
        api, action="samples", audio_id=song["id"], samples_start=1.5, samples_end=4.25
    )
    assert clip["duration"] == pytest.approx(2.75, abs=0.001)
    a, b = round(1.5 * SR), round(4.25 * SR)
    for part, whole in zip(stems(simulator, clip["id"]), stems(simulator, song["id"]), strict=True):
        assert np.array_equal(part, whole[a:b])


def test_a_sample_carries_only_the_words_sung_in_it(api, simulator):
    simulator.max_duration = 20  # room for a few lines
    body = {"action": "generate", "custom": True, "lyric": LYRIC, "style": "pop"}
    song = audios(api, **body, model="chirp-v4")[0]
    sung = simulator.ensure_rendered(simulator._clip(song["id"]))["lines"]
    assert len(sung) >= 2
    end = sung[1]["start"]  # the first line, and not the second
    (clip,) = audios(api, action="samples", audio_id=song["id"], samples_start=0, samples_end=end)
    assert sung[0]["text"] in clip["lyric"]
    assert not any(line["text"] in clip["lyric"] for line in sung[1:])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"samples_start": 2}, "are required"),
        ({"samples_start": 3, "samples_end": 3}, "before `samples_end`"),
        ({"samples_start": 1, "samples_end": 999}, "inside the song"),
    ],
)
def test_samples_refusals(api, song, body, message):
    assert message in refused(api, action="samples", audio_id=song["id"], **body)


def test_reworked_clips_can_be_worked_on_again(api, simulator, song):
    """A sample of a sped-up song: each rework's clip is a song like any other."""
    (fast,) = audios(api, action="adjust_speed", audio_id=song["id"], speed_multiplier=2)
    (piece,) = audios(api, action="samples", audio_id=fast["id"], samples_start=0, samples_end=1)
    assert piece["duration"] == pytest.approx(1.0, abs=0.001)
