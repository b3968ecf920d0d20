"""The simulator's song synthesis and cover art (pure numpy/Pillow; no Django needed)."""

import io
import struct
import wave

import numpy as np
import pytest
from PIL import Image

from music.upstream.simulator import artwork, audio

SR = audio.SAMPLE_RATE

VERSE = [
    "Walking down the empty street tonight",
    "Every window glowing warm and bright",
    "I can hear the city breathing slow",
    "Carry me where only dreamers go",
]
CHORUS = [
    "Oh the night is calling out my name",
    "Nothing here will ever be the same",
    "Hold the fire, never let it fade",
    "We are the light that we have made",
]
VERSE2 = [
    "Silver rain is falling on the town",
    "Every worry washing slowly down",
    "In the echo of a distant song",
    "I remember where we both belong",
]


def _lyric(*sections):
    return "\n\n".join("\n".join([f"[{name}]", *lines]) for name, lines in sections)


LYRIC = _lyric(("Verse", VERSE), ("Chorus", CHORUS), ("Verse 2", VERSE2), ("Chorus", CHORUS))


@pytest.fixture(scope="module")
def song():
    return audio.render_song(seed="a song about the city at night", lyric=LYRIC, style="pop")


def _span(rendering, line):
    start = round(line.start * SR)
    return start, start + round((line.end - line.start) * SR)


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def test_same_inputs_give_identical_mp3():
    kwargs = dict(seed="determinism", lyric=_lyric(("Verse", VERSE[:2])), style="rock")
    first = audio.render_song(**kwargs, max_duration=12)
    second = audio.render_song(**kwargs, max_duration=12)
    assert audio.encode_mp3(first.mix) == audio.encode_mp3(second.mix)
    assert first.lines == second.lines
    assert first.sections == second.sections


def test_variant_changes_the_audio_but_not_the_song():
    kwargs = dict(seed="variants", lyric=_lyric(("Verse", VERSE[:2])), style="pop")
    a = audio.render_song(**kwargs, variant=0, max_duration=15)
    b = audio.render_song(**kwargs, variant=1, max_duration=15)
    n = min(len(a.mix), len(b.mix))
    assert not np.allclose(a.mix[:n], b.mix[:n], atol=1e-3)
    assert [line.text for line in a.lines] == [line.text for line in b.lines]


def test_lines_follow_the_lyric_in_order(song):
    assert [line.text for line in song.lines] == VERSE + CHORUS + VERSE2 + CHORUS
    expected = ["Verse"] * 4 + ["Chorus"] * 4 + ["Verse 2"] * 4 + ["Chorus"] * 4
    assert [line.section for line in song.lines] == expected
    previous_end = 0.0
    for line in song.lines:
        assert previous_end <= line.start < line.end <= song.duration
        previous_end = line.end
    names = [name for name, _, _ in song.sections]
    assert names == ["Intro", "Verse", "Chorus", "Verse 2", "Chorus", "Outro"]
    # Sections tile the song, and every line is sung inside its own section.
    assert song.sections[0][1] == 0.0
    assert song.sections[-1][2] == pytest.approx(song.duration)
    for (_, _, end), (_, start, _) in zip(song.sections, song.sections[1:], strict=False):
        assert end == pytest.approx(start)
    chorus_spans = [(s, e) for name, s, e in song.sections if name == "Chorus"]
    for line in song.lines[4:8]:
        assert chorus_spans[0][0] <= line.start < line.end <= chorus_spans[0][1]
    for line in song.lines[12:]:
        assert chorus_spans[1][0] <= line.start < line.end <= chorus_spans[1][1]


def test_repeated_chorus_sings_the_same_vocal(song):
    first, second = song.lines[4:8], song.lines[12:16]
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        (s1, e1), (s2, e2) = _span(song, a), _span(song, b)
        assert e1 - s1 == e2 - s2
        x, y = song.vocals[s1:e1], song.vocals[s2:e2]
        assert _rms(x) > 0.02
        if i == 0:
            # Only the reverb tail of the (different) preceding verse line leaks in.
            assert np.corrcoef(x, y)[0, 1] > 0.999
        else:
            assert np.array_equal(x, y)
    # ... while a verse line really is a different melody.
    s, e = _span(song, song.lines[0])
    s1, _ = _span(song, first[0])
    n = min(e - s, len(song.vocals) - s1)
    assert abs(np.corrcoef(song.vocals[s : s + n], song.vocals[s1 : s1 + n])[0, 1]) < 0.5


def test_stems_sum_exactly_to_the_mix(song):
    assert song.vocals.dtype == song.instrumental.dtype == np.float32
    assert song.vocals.shape == song.instrumental.shape
    assert np.array_equal(song.mix, song.vocals + song.instrumental)
    assert np.max(np.abs(song.mix)) <= 0.9
    assert _rms(song.mix) > 0.05
    assert song.duration == len(song.mix) / SR


def test_vocal_stem_is_louder_while_lines_are_sung(song):
    sung = np.zeros(len(song.vocals), dtype=bool)
    for line in song.lines:
        s, e = _span(song, line)
        sung[s:e] = True
    inside, outside = _rms(song.vocals[sung]), _rms(song.vocals[~sung])
    assert inside > 3 * outside
    # Nothing is sung over the intro.
    intro_end = round(song.sections[0][2] * SR)
    assert np.max(np.abs(song.vocals[:intro_end])) == 0.0


def test_instrumental_has_a_silent_vocal_stem():
    r = audio.render_song(seed="instrumental", style="edm", instrumental=True, max_duration=15)
    assert not np.any(r.vocals)
    assert _rms(r.instrumental) > 0.05
    assert np.array_equal(r.mix, r.instrumental)
    assert r.lines and all(line.text == "" for line in r.lines)
    assert [(line.section, line.start, line.end) for line in r.lines] == r.sections


def test_description_only_song_still_has_a_sung_lead():
    r = audio.render_song(seed="an upbeat song about summer", max_duration=15)
    assert r.lines
    assert all(set(line.text.split()) <= {"la", "oh"} for line in r.lines)
    assert _rms(r.vocals) > 0.02


@pytest.mark.parametrize("limit", [10.0, 15.0, 20.0])
def test_max_duration_stops_after_whole_lines(limit):
    r = audio.render_song(seed="limits", lyric=LYRIC, style="pop", max_duration=limit)
    assert r.duration <= limit
    assert r.lines, "at least one line fits in 10 s"
    texts = [line.text for line in r.lines]
    assert texts == (VERSE + CHORUS)[: len(texts)]
    assert r.lines[-1].end <= r.duration
    assert r.sections[-1][0] == "Outro"


def test_slow_song_with_short_limit_still_sings():
    r = audio.render_song(seed="slow", lyric=LYRIC, style="slow piano ballad", max_duration=10)
    assert r.duration <= 10.0
    assert [line.text for line in r.lines] == VERSE[:1]


def test_short_song_is_padded_to_min_duration():
    r = audio.render_song(seed="short", lyric="Just one line", min_duration=20, max_duration=30)
    assert 20.0 <= r.duration <= 30.0
    assert [line.text for line in r.lines] == ["Just one line"]


def test_cjk_lines_get_one_note_per_character():
    assert len(audio._syllables("月光洒在窗前")) == 6
    assert len(audio._syllables("beautiful love")) == 4
    lyric = "[Verse]\n月光洒在窗前\n思念飘向远方\n[Chorus]\n你是我的梦想"
    r = audio.render_song(seed="cjk", lyric=lyric, style="chinese traditional", max_duration=30)
    assert [line.text for line in r.lines] == ["月光洒在窗前", "思念飘向远方", "你是我的梦想"]
    assert [line.section for line in r.lines] == ["Verse", "Verse", "Chorus"]


def test_mp3_duration_matches_the_rendering():
    r = audio.render_song(seed="mp3 length", style="pop", max_duration=12)
    data = audio.encode_mp3(r.mix)
    assert data[:2] == b"\xff\xf3"  # MPEG-2 layer III frame sync at 22.05 kHz
    assert audio.mp3_duration(data) == pytest.approx(r.duration, abs=0.1)
    # An ID3v2 tag in front does not count as audio.
    tag_body = b"\x00" * 300
    size = bytes((len(tag_body) >> s) & 0x7F for s in (21, 14, 7, 0))
    tagged = b"ID3\x03\x00\x00" + size + tag_body + data
    assert audio.mp3_duration(tagged) == pytest.approx(audio.mp3_duration(data))
    assert audio.mp3_duration(b"") == 0.0


def test_encode_wav_round_trips():
    samples = (0.5 * np.sin(np.arange(SR // 2) * 2 * np.pi * 440 / SR)).astype(np.float32)
    samples[:3] = [1.5, -1.5, 0.0]  # out-of-range values are clipped, not wrapped
    with wave.open(io.BytesIO(audio.encode_wav(samples)), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SR)
        assert w.getnframes() == len(samples)
        pcm = np.array(struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes())))
    assert list(pcm[:3]) == [32767, -32767, 0]
    assert np.allclose(pcm[3:] / 32767.0, samples[3:], atol=1 / 32767)


def test_crossfade_concat_lengths_and_edges():
    fade = 0.01
    k = round(fade * SR)
    parts = [np.full(1000, 0.1), np.full(500, 0.2), np.full(3000, 0.3)]
    out = audio.crossfade_concat(parts, fade=fade)
    assert len(out) == 4500 - 2 * k
    assert np.allclose(out[: 1000 - k], 0.1)
    assert np.allclose(out[-(3000 - k) :], 0.3)
    # A part shorter than the fade only overlaps by its own length.
    assert len(audio.crossfade_concat([np.ones(1000), np.ones(100)], fade=0.05)) == 1000
    assert len(audio.crossfade_concat([np.ones(10), np.zeros(0), np.ones(10)], fade=0)) == 20
    assert len(audio.crossfade_concat([])) == 0


def test_a_song_is_rendered_within_its_maximum_duration():
    # Its speed is measured by bench/simulator_render.py, not asserted here.
    r = audio.render_song(seed="speed check", lyric=LYRIC, style="edm", max_duration=15)
    assert 10.0 < r.duration <= 15.0


def test_cover_is_a_deterministic_png_of_the_requested_size():
    kwargs = dict(title="Midnight City", style="synthwave", size=256)
    png = artwork.render_cover(seed="cover", **kwargs)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as img:
        assert img.size == (256, 256)
        pixels = np.asarray(img.convert("RGB"), dtype=float)
    assert pixels.std() > 5  # not a flat colour
    assert artwork.render_cover(seed="cover", **kwargs) == png
    assert artwork.render_cover(seed="other", **kwargs) != png


def test_cover_title_is_drawn_only_when_the_font_has_the_glyphs():
    plain = artwork.render_cover(seed="t", style="chinese")
    latin = artwork.render_cover(seed="t", title="Moon", style="chinese")
    cjk = artwork.render_cover(seed="t", title="月光", style="chinese")
    assert latin != plain
    assert cjk == plain  # no tofu boxes
    with Image.open(io.BytesIO(cjk)) as img:
        assert img.size == (512, 512)
