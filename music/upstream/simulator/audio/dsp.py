"""Signal building blocks: pitch, smoothing, oscillators, filters, reverb, envelopes, levels."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from music.upstream.simulator.audio.seeds import _rng

SAMPLE_RATE = 22050


def _hz(midi) -> np.ndarray | float:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


def _frozen(x: np.ndarray) -> np.ndarray:
    """Cached arrays: float32 to bound the caches' memory, read-only because they are shared."""
    x = np.asarray(x, dtype=np.float32)
    x.flags.writeable = False
    return x


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average along axis 0, O(n) via cumulative sums."""
    if width <= 1:
        return x
    pad_l, pad_r = width // 2, width - 1 - width // 2
    padded = np.concatenate([np.repeat(x[:1], pad_l, axis=0), x, np.repeat(x[-1:], pad_r, axis=0)])
    c = np.cumsum(padded, axis=0)
    c = np.concatenate([np.zeros_like(c[:1]), c])
    return (c[width:] - c[:-width]) / width


def _harmonic_sum(phase: np.ndarray, amps: np.ndarray) -> np.ndarray:
    """sum_k amps[:, k] * sin((k + 1) * phase), using the Chebyshev recurrence instead of sin()."""
    s_prev = np.zeros_like(phase)
    s_cur = np.sin(phase)
    two_cos = 2.0 * np.cos(phase)
    per_sample = amps.ndim == 2
    out = (amps[:, 0] if per_sample else amps[0]) * s_cur
    for k in range(1, amps.shape[-1]):
        s_prev, s_cur = s_cur, two_cos * s_cur - s_prev
        out += (amps[:, k] if per_sample else amps[k]) * s_cur
    return out


def _harmonic_sum_sc(sin1: np.ndarray, two_cos: np.ndarray, amps: np.ndarray) -> np.ndarray:
    """Like ``_harmonic_sum`` with constant amplitudes and precomputed sin/2cos of the phase."""
    s_prev = np.zeros_like(sin1)
    s_cur = sin1.copy()
    out = amps[0] * s_cur
    for k in range(1, len(amps)):
        s_prev, s_cur = s_cur, two_cos * s_cur - s_prev
        out += amps[k] * s_cur
    return out


def _saw(freq: float, n: int, phase0: float = 0.0) -> np.ndarray:
    """Band-limited (polyBLEP) sawtooth."""
    dt = freq / SAMPLE_RATE
    t = (phase0 + dt * np.arange(n)) % 1.0
    y = 2.0 * t - 1.0
    m = t < dt
    x = t[m] / dt
    y[m] -= x + x - x * x - 1.0
    m = t > 1.0 - dt
    x = (t[m] - 1.0) / dt
    y[m] -= x * x + x + x + 1.0
    return y


def _fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n, so numpy's FFT stays fast."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def _lowpass(x: np.ndarray, cutoff: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth-magnitude lowpass in the frequency domain."""
    size = _fast_len(len(x) + 256)
    spec = np.fft.rfft(x, size)
    f = np.fft.rfftfreq(size, 1.0 / SAMPLE_RATE)
    spec /= np.sqrt(1.0 + (f / cutoff) ** (2 * order))
    return np.fft.irfft(spec, size)[: len(x)]


def _convolve(x: np.ndarray, ir: np.ndarray) -> np.ndarray:
    size = _fast_len(len(x) + len(ir) - 1)
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)
    return y[: len(x) + len(ir) - 1]


def _convolve_long(x: np.ndarray, ir: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Block overlap-add convolution truncated to ``len(x)``; memory stays O(block)."""
    size = _fast_len(block + len(ir) - 1)
    spectrum = np.fft.rfft(ir, size)
    out = np.zeros(len(x) + size, dtype=np.float32)
    for i in range(0, len(x), block):
        seg = x[i : i + block]
        out[i : i + size] += np.fft.irfft(np.fft.rfft(seg, size) * spectrum, size)
    return out[: len(x)]


@lru_cache(maxsize=8)
def _reverb_ir(seconds: float, name: str) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    rng = _rng("reverb", name)
    ir = rng.standard_normal(n) * np.exp(-t * 6.9 / seconds)
    # Darker tail: high frequencies die first in real rooms.
    ir = 0.5 * ir + 0.5 * _smooth(ir, 3)
    ir[: int(0.015 * SAMPLE_RATE)] = 0.0  # pre-delay keeps the dry attack clear
    return _frozen(ir / np.sqrt(np.sum(ir**2)))


def _env_ar(n: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n)
    a = min(n, int(attack * SAMPLE_RATE))
    r = min(n - a, max(1, int(release * SAMPLE_RATE)))
    env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    if r > 0:
        env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def _rms(x: np.ndarray) -> float:
    """RMS, or 1.0 for silence so it can always be divided by."""
    value = float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0
    return value if value > 0 else 1.0


def _normalise(x: np.ndarray) -> np.ndarray:
    peak = np.max(np.abs(x)) if len(x) else 0.0
    return x / peak if peak > 0 else x
