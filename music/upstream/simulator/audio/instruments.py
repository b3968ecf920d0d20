"""Instruments: struck and plucked tones, bass, power chords, pads and drums (cached)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from music.upstream.simulator.audio.dsp import (
    SAMPLE_RATE,
    _env_ar,
    _frozen,
    _harmonic_sum,
    _hz,
    _lowpass,
    _normalise,
    _saw,
)
from music.upstream.simulator.audio.seeds import _rng

_NATURAL = {"piano": 2.2, "epiano": 2.2, "guitar": 2.0, "pluck": 2.6, "synthpluck": 1.2}


def _partials(phase: np.ndarray, ratios, amps, d0: float, d1: float) -> np.ndarray:
    """Partials ``k`` decaying at ``d0 + d1 * k`` per second.

    The decays are linear in ``k`` so the envelopes are ``exp(-d0 t) * q**k``: one exp() for
    all partials. Each partial is only computed until it has died away.
    """
    n = len(phase)
    t = np.arange(n) / SAMPLE_RATE
    q = np.exp(-d1 * t)
    qk = np.ones(n)
    out = np.zeros(n)
    for k, (r, a) in enumerate(zip(ratios, amps, strict=True), start=1):
        m = min(n, int(7.0 / (d0 + d1 * k) * SAMPLE_RATE) + 1)
        qk = qk[:m] * q[:m]
        out[:m] += a * np.sin(r * phase[:m] + 0.3 * r) * qk
    return out * np.exp(-d0 * t)


@lru_cache(maxsize=160)
def _tone(inst: str, midi: int) -> np.ndarray:
    """A struck/plucked note at its natural length; callers cut it with ``_note``."""
    sr = SAMPLE_RATE
    n = int(_NATURAL.get(inst, 1.5) * sr)
    t = np.arange(n) / sr
    f = float(_hz(midi))
    limit = 0.42 * sr
    phase = 2 * np.pi * f * t
    if inst in ("piano", "guitar"):
        piano = inst == "piano"
        stretch = 0.0004 if piano else 0.0001  # stiff strings: partials run slightly sharp
        k = np.arange(1, 13, dtype=float)
        ratios = k * np.sqrt(1.0 + stretch * k * k)
        keep = ratios * f < limit
        scale = (f / 262.0) ** (0.5 if piano else 0.4)
        if piano:
            amps = k**-1.1 * (0.3 + 0.7 * np.abs(np.sin(np.pi * k * 0.13)))
            d0, d1 = 0.7 * scale, 0.45 * scale
        else:
            amps = k**-1.0 * (0.2 + 0.8 * np.abs(np.sin(np.pi * k * 0.21)))
            d0, d1 = 1.0 * scale, 0.8 * scale
        out = _partials(phase, ratios[keep], amps[keep], d0, d1)
        m = int(0.03 * sr)
        click = np.diff(_rng("pick", inst).standard_normal(m), prepend=0.0) * np.exp(-t[:m] * 250)
        out[:m] += click * (0.05 if piano else 0.12)
        out *= 1.0 - np.exp(-t / 0.002)
    elif inst == "epiano":
        idx = 1.6 * np.exp(-t * 3.5) + 0.25
        out = np.sin(phase + idx * np.sin(phase)) * np.exp(-t * 1.1)
        if 4 * f < limit:
            out += 0.12 * np.sin(4 * phase) * np.exp(-t * 9.0)
        out *= 1.0 - np.exp(-t / 0.002)
    elif inst == "pluck":
        # Guzheng-like: bright pluck, slight pitch settle, then a left-hand vibrato.
        vib = np.clip((t - 0.35) / 0.3, 0, 1) * np.sin(2 * np.pi * 5.2 * t)
        bend = 0.25 * np.exp(-t * 30.0) + 0.12 * vib
        phase = 2 * np.pi * np.cumsum(f * 2.0 ** (bend / 12.0)) / sr
        k = np.arange(1, max(1, min(12, int(limit / (f * 1.02)))) + 1, dtype=float)
        amps = k**-1.1 * (0.15 + 0.85 * np.abs(np.sin(np.pi * k * 0.11)))
        out = _partials(phase, k, amps, 0.8, 0.55)
        out *= 1.0 - np.exp(-t / 0.001)
    elif inst == "synthpluck":
        k = np.arange(1, max(1, min(20, int(limit / f))) + 1, dtype=float)
        out = _partials(phase, k, 1.0 / k, 3.0, 2.2)
        out *= 1.0 - np.exp(-t / 0.002)
    else:
        raise ValueError(inst)
    # Low notes are still ringing at the natural length; fade rather than click.
    out *= _env_ar(n, 0.0, 0.3)
    return _frozen(_normalise(out))


def _note(inst: str, midi: int, n: int) -> np.ndarray:
    """``inst`` held for ``n`` samples, then damped over 60 ms."""
    tone = _tone(inst, midi)
    rel = int(0.06 * SAMPLE_RATE)
    m = min(len(tone), n + rel)
    out = tone[:m].copy()
    if m > n:
        out[n:] *= np.linspace(1.0, 0.0, m - n)
    return out


@lru_cache(maxsize=96)
def _bass_note(kind: str, midi: int, n: int) -> np.ndarray:
    sr = SAMPLE_RATE
    m = n + int(0.03 * sr)
    t = np.arange(m) / sr
    f = float(_hz(midi))
    if kind == "synth":
        out = _lowpass(_saw(f, m), 420.0 + 2 * f) * 0.8 + np.sin(2 * np.pi * f * t)
        out *= np.exp(-t * 1.2)
    elif kind == "picked":
        k = np.arange(1, 11)
        amps = (k**-1.3)[None, :] * np.exp(-t[:, None] * (1.2 + 0.9 * k)[None, :])
        out = _harmonic_sum(2 * np.pi * f * t, amps)
    else:
        out = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
        out += 0.08 * np.sin(6 * np.pi * f * t)
        out *= np.exp(-t * 0.6)
    return _frozen(_normalise(out) * _env_ar(m, 0.006, 0.03))


@lru_cache(maxsize=48)
def _power_chord(midi: int, n: int) -> np.ndarray:
    """Distorted root-fifth-octave through a rough cabinet lowpass."""
    m = n + int(0.04 * SAMPLE_RATE)
    t = np.arange(m) / SAMPLE_RATE
    x = sum(
        _saw(float(_hz(midi + iv)) * (1 + det), m, ph)
        for iv, det, ph in ((0, 0.0, 0.0), (7, 0.002, 0.3), (12, -0.003, 0.6), (0, 0.004, 0.8))
    )
    x = np.tanh(3.5 * x)
    x = _lowpass(x, 2600.0, 3)
    decay = np.exp(-t * (7.0 if n < 0.25 * SAMPLE_RATE else 0.8))
    return _frozen(_normalise(x) * decay * _env_ar(m, 0.003, 0.04))


@lru_cache(maxsize=24)
def _pad(kind: str, midis: tuple[int, ...], n: int) -> np.ndarray:
    """A sustained chord; ``n`` includes its release."""
    sr = SAMPLE_RATE
    t = np.arange(n) / sr
    out = np.zeros(n)
    for j, midi in enumerate(midis):
        f = float(_hz(midi))
        if kind in ("strings", "synth"):
            det = 0.004 if kind == "strings" else 0.007
            for i, d in enumerate((-det, 0.0, det)):
                out += _saw(f * (1 + d), n, 0.37 * (i + j))
        elif kind == "organ":
            for k, a in ((1, 1.0), (2, 0.6), (3, 0.35), (4, 0.25), (6, 0.1)):
                if k * f < 0.42 * sr:
                    out += a * np.sin(2 * np.pi * k * f * t + j)
        else:  # warm: detuned triangles
            for d in (-0.003, 0.003):
                for k in (1, 3, 5, 7):
                    if k * f < 0.42 * sr:
                        out += (k**-2.0) * np.sin(2 * np.pi * k * f * (1 + d) * t + j)
    if kind == "strings":
        out = _lowpass(out, 2400.0) * (1.0 + 0.08 * np.sin(2 * np.pi * 4.8 * t))
        env = _env_ar(n, 0.35, 0.5)
    elif kind == "synth":
        out = _lowpass(out, 1600.0)
        env = _env_ar(n, 0.08, 0.35)
    else:
        env = _env_ar(n, 0.2 if kind == "warm" else 0.03, 0.4)
    return _frozen(_normalise(out) * env)


@lru_cache(maxsize=16)
def _drum(name: str) -> np.ndarray:
    sr = SAMPLE_RATE
    length = {"kick": 0.45, "crash": 2.2, "ohat": 0.45, "snare": 0.3, "clap": 0.3}.get(name, 0.12)
    n = int(length * sr)
    t = np.arange(n) / sr
    rng = _rng("drum", name)
    noise = rng.standard_normal(n)
    hp = np.diff(noise, prepend=0.0)
    if name == "kick":
        freq = 48.0 + 120.0 * np.exp(-t * 32.0)
        out = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t * 7.5)
        out += 0.3 * hp * np.exp(-t * 400.0)
        out = np.tanh(1.6 * out)
    elif name == "snare":
        out = 0.6 * np.sin(2 * np.pi * 190 * t) * np.exp(-t * 22.0)
        out += 0.3 * np.sin(2 * np.pi * 330 * t) * np.exp(-t * 28.0)
        out += 0.55 * hp * np.exp(-t * 15.0)
    elif name == "clap":
        burst = sum(np.exp(-np.maximum(t - d, 0) * 160.0) * (t >= d) for d in (0.0, 0.011, 0.022))
        out = hp * (0.6 * burst + 0.4 * np.exp(-np.maximum(t - 0.022, 0) * 18.0) * (t >= 0.022))
    elif name in ("hat", "ohat", "crash"):
        bright = np.diff(hp, prepend=0.0)
        decay = {"hat": 70.0, "ohat": 11.0, "crash": 2.2}[name]
        out = bright * np.exp(-t * decay)
    elif name == "shaker":
        out = np.diff(hp, prepend=0.0) * np.sin(np.pi * np.clip(t / 0.06, 0, 1))
    elif name == "rim":
        out = np.sin(2 * np.pi * 1700 * t) * np.exp(-t * 90.0) + 0.4 * hp * np.exp(-t * 160.0)
    elif name == "wood":
        out = np.sin(2 * np.pi * 820 * t) * np.exp(-t * 45.0)
        out += 0.5 * np.sin(2 * np.pi * 1410 * t) * np.exp(-t * 60.0)
    else:
        raise ValueError(name)
    out *= (1.0 - np.exp(-t / 0.0008)) * _env_ar(n, 0.0, 0.2 * length)
    return _frozen(_normalise(out))
