"""Sung phrases (and the instrumental lead, which is the same model without words)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from music.upstream.simulator.audio.dsp import (
    SAMPLE_RATE,
    _convolve,
    _frozen,
    _harmonic_sum_sc,
    _hz,
    _reverb_ir,
    _smooth,
)
from music.upstream.simulator.audio.seeds import _rng

_FORMANTS = {  # (F1, F2, F3, F4) Hz, a rough adult average
    "a": (730.0, 1090.0, 2440.0, 3400.0),
    "e": (530.0, 1840.0, 2480.0, 3400.0),
    "i": (300.0, 2250.0, 3000.0, 3600.0),
    "o": (570.0, 840.0, 2410.0, 3300.0),
    "u": (330.0, 870.0, 2240.0, 3300.0),
}
_BANDWIDTHS = (90.0, 110.0, 170.0, 260.0)


@dataclass(frozen=True)
class _Timbre:
    kind: str  # "voice", "flute", "saw", "reed", "dist"
    formant: float = 1.0
    vib_rate: float = 5.6
    vib_depth: float = 0.28
    breath: float = 0.012


def _harmonic_weights(timbre: _Timbre, f0: float, vowel: str, h: int) -> np.ndarray:
    k = np.arange(1, h + 1, dtype=float)
    if timbre.kind == "voice":
        f = k * f0
        mag = np.ones(h)
        for fc, bw in zip(_FORMANTS[vowel], _BANDWIDTHS, strict=True):
            fc *= timbre.formant
            # Magnitude of a two-pole resonator; a cascade of four gives the vowel's envelope.
            mag /= np.sqrt((1.0 - (f / fc) ** 2) ** 2 + (f * bw / fc**2) ** 2)
        w = mag / k
    elif timbre.kind == "flute":
        w = np.array([1.0, 0.35, 0.12, 0.05, 0.02, 0.01][:h] + [0.0] * max(0, h - 6))
    elif timbre.kind == "reed":
        w = np.where(k % 2 == 1, 1.0 / k, 0.12 / k) * np.exp(-k / 14.0)
    else:  # saw / dist
        w = np.exp(-k / 10.0) / k
    w = w * (k * f0 < 4800.0)
    return w / np.sqrt(np.sum(w**2))


@lru_cache(maxsize=48)
def _phrase(notes: tuple, s16: int, timbre: _Timbre) -> np.ndarray:
    """Dry audio of a legato phrase; sample 0 is the start of the line's first bar."""
    sr = SAMPLE_RATE
    on = np.array([x[0] for x in notes]) * s16
    end = on + np.array([x[1] for x in notes]) * s16
    midi = np.array([x[2] for x in notes], dtype=float)
    cons = [x[4] for x in notes]
    count = len(notes)
    length = int(end[-1] + 0.25 * sr)
    n = np.arange(length)
    idx = np.clip(np.searchsorted(on, n, side="right") - 1, 0, count - 1)
    t_rel = (n - on[idx]) / sr
    t_end = (end[idx] - n) / sr
    legato_in = np.r_[False, on[1:] == end[:-1]]
    legato_out = np.r_[on[1:] == end[:-1], False]
    voice = timbre.kind == "voice"

    # Amplitude: soft onsets, a dip where a consonant interrupts a legato line, releases at rests.
    hard = np.array([c in ("t", "s", "f", "n") for c in cons])
    dip = np.where(legato_in, np.where(hard & voice, 0.3, 0.75), 0.0)[idx]
    attack = np.where(legato_in, 0.03, 0.05)[idx]
    a = dip + (1.0 - dip) * np.clip(t_rel / attack, 0.0, 1.0)
    rel = np.where(np.arange(count) == count - 1, 0.16, 0.07)[idx]
    r = np.where(legato_out[idx], 1.0, np.clip(1.0 + t_end / rel, 0.0, 1.0))
    env = a * r * (t_rel >= 0) * (0.9 + 0.1 * np.exp(-np.maximum(t_rel, 0) * 1.5))
    env = _smooth(env, int(0.004 * sr))

    # Pitch: glides between notes, a scoop into fresh onsets, delayed vibrato, tiny drift.
    m = _smooth(midi[idx], int(0.045 * sr))
    if voice:
        m = m - np.where(legato_in, 0.0, 0.7)[idx] * np.exp(-np.maximum(t_rel, 0) / 0.05)
    depth = timbre.vib_depth * np.clip((t_rel - 0.16) / 0.3, 0.0, 1.0)
    m = m + depth * np.sin(2 * np.pi * timbre.vib_rate * n / sr)
    rng = _rng("phrase", notes, s16, timbre)
    knots = rng.standard_normal(length // int(0.25 * sr) + 2) * 0.05
    m = m + np.interp(n, np.arange(len(knots)) * 0.25 * sr, knots)
    f0 = 440.0 * 2.0 ** ((m - 69.0) / 12.0)
    phase = 2 * np.pi * np.cumsum(f0) / sr

    # Each note's spectrum is constant over its own span; neighbours crossfade over 30 ms so
    # vowels morph into each other. Summing per segment avoids a (samples x harmonics) matrix.
    sin1, two_cos = np.sin(phase), 2.0 * np.cos(phase)
    out = np.zeros(length)
    xfade = int(0.03 * sr)
    bounds = [0, *[int(x) for x in on[1:]], length]
    for i, note in enumerate(notes):
        f_note = float(_hz(note[2]))
        weights = _harmonic_weights(timbre, f_note, note[3], max(1, int(4500.0 / f_note)))
        s0 = max(0, bounds[i] - xfade // 2) if i else 0
        s1 = min(length, bounds[i + 1] + xfade // 2) if i < count - 1 else length
        seg = _harmonic_sum_sc(sin1[s0:s1], two_cos[s0:s1], weights)
        if i:
            seg[:xfade] *= np.linspace(0.0, 1.0, xfade)[: len(seg)]
        if i < count - 1:
            seg[-xfade:] *= np.linspace(1.0, 0.0, xfade)[-len(seg) :]
        out[s0:s1] += seg
    out *= env
    if timbre.kind == "dist":
        out = np.tanh(2.5 * out)

    noise = rng.standard_normal(length)
    hp = np.diff(noise, prepend=0.0)
    # Breath sits in the upper-mid band, well under the voice.
    out += timbre.breath * _smooth(hp, 3) * env
    if voice:
        for i, c in enumerate(cons):
            if c not in ("t", "s", "f", "h"):
                continue
            dur = {"t": 0.015, "s": 0.075, "f": 0.06, "h": 0.045}[c]
            gain = {"t": 0.22, "s": 0.14, "f": 0.08, "h": 0.06}[c]
            w = int(dur * sr)
            start = max(0, int(on[i]) - (w if c != "t" else w // 2))
            stop = min(length, start + w)
            seg = hp[start:stop] if c != "s" else np.diff(hp[start : stop + 1])
            shape = np.sin(np.pi * np.linspace(0, 1, stop - start)) if c != "t" else 1.0
            out[start:stop] += gain * seg[: stop - start] * shape
    return _frozen(out)


@lru_cache(maxsize=48)
def _sung_line(notes: tuple, harmony: tuple | None, s16: int, timbre: _Timbre) -> np.ndarray:
    """A line with its optional harmony and its own reverb tail."""
    dry = _phrase(notes, s16, timbre).copy()
    if harmony:
        second = _Timbre(
            timbre.kind, timbre.formant * 1.04, timbre.vib_rate + 0.35, timbre.vib_depth * 0.8
        )
        h = _phrase(harmony, s16, second)
        dry[: len(h)] += 0.4 * h[: len(dry)]
    wet = _convolve(dry, _reverb_ir(1.1, "vocal"))
    wet[: len(dry)] += dry / 0.22
    return _frozen(wet * 0.22)
