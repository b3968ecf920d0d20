"""Reworking finished audio: mastering louder, changing speed (keeping pitch or not).

Float arrays in -1..1 at SAMPLE_RATE in, float arrays out. Deterministic, numpy only.
"""

import numpy as np

# RMS gain each remaster `variation_category` aims for, in dB. Real remasters come out
# louder and denser; the simulator makes that measurable.
REMASTER_GAIN_DB = {"subtle": 1.5, "normal": 3.0, "high": 4.5}
CEILING = 0.97  # the limiter's output never goes past this


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def envelope(x, block=256):
    """The peak level around each sample: block peaks, joined by straight lines and never
    below the signal, so a gain of `ceiling / envelope` keeps every sample under `ceiling`."""
    a = np.abs(x)
    if not len(a):
        return a
    starts = np.arange(0, len(a), block)
    peaks = np.maximum.reduceat(a, starts)
    # Each block also answers for its neighbours' edges: no sample sits outside a ramp.
    peaks = np.maximum(peaks, np.maximum(np.r_[peaks[1:], 0], np.r_[0, peaks[:-1]]))
    centres = np.minimum(starts + block // 2, len(a) - 1)
    return np.maximum(np.interp(np.arange(len(a)), centres, peaks), a)


def master(vocals, instrumental, gain_db, headroom=0.98):
    """(vocals, instrumental) made `gain_db` louder in RMS of their sum by a gain that rides
    the mix's envelope, like a mastering limiter: quiet passages get the full drive, peaks
    stay under the ceiling. One gain curve serves both stems, so they still add up to the
    mastered mix. `headroom`: the peak a stem or the mix may reach once stored
    (`media.quantize` scales louder ones down), which the loudness is measured after."""
    v = np.asarray(vocals, dtype=np.float64)
    i = np.asarray(instrumental, dtype=np.float64)
    mix = v + i
    before = rms(mix)
    if before == 0:
        return v, i
    want = before * 10 ** (gain_db / 20)
    room = CEILING / np.maximum(envelope(mix), 1e-9)
    stem_peak = np.maximum(np.abs(v), np.abs(i))

    def gain(drive):
        g = np.minimum(drive, room)
        peak = max(float(np.max(stem_peak * g)), float(np.max(np.abs(mix) * g)))
        return g * min(1.0, headroom / peak) if peak > 0 else g

    # More drive is louder until everything sits at the ceiling: bisection finds the drive
    # that lands on the target (or the loudest there is).
    low, high = 1.0, 64.0
    for _ in range(16):
        drive = (low + high) / 2
        if rms(mix * gain(drive)) < want:
            low = drive
        else:
            high = drive
    g = gain(high)
    return v * g, i * g


def resample(x, factor):
    """Play `factor` times faster by reading the samples faster: shorter and higher (or
    longer and lower), like a tape sped up. Sped up, what would pass the new Nyquist
    frequency is filtered out first rather than folded back as noise."""
    x = np.asarray(x, dtype=np.float64)
    n = int(round(len(x) / factor))
    if n <= 0 or not len(x):
        return np.zeros(max(n, 0))
    if factor > 1:
        spectrum = np.fft.rfft(x)
        spectrum[int(len(spectrum) / factor) :] = 0
        x = np.fft.irfft(spectrum, n=len(x))
    positions = np.arange(n) * factor
    return np.interp(positions, np.arange(len(x)), x)


def stretch(x, factor, n_fft=1024, hop=256):
    """Play `factor` times faster at the same pitch: a phase vocoder moves the short-time
    spectrum along in time and keeps each frequency's phase running at its own rate. The
    bins around each spectral peak follow their peak's phase (identity phase locking), so
    partials stay whole instead of smearing and cancelling."""
    x = np.asarray(x, dtype=np.float64)
    n_out = int(round(len(x) / factor))
    if n_out <= 0 or not len(x):
        return np.zeros(max(n_out, 0))
    window = np.hanning(n_fft + 1)[:-1]
    padded = np.concatenate([np.zeros(n_fft // 2), x, np.zeros(n_fft)])
    count = 1 + (len(padded) - n_fft) // hop
    index = np.arange(n_fft)[None, :] + hop * np.arange(count)[:, None]
    spectra = np.fft.rfft(padded[index] * window, axis=1)
    magnitudes, angles = np.abs(spectra), np.angle(spectra)
    bins = spectra.shape[1]
    expected = np.linspace(0, np.pi * hop, bins)  # each bin's phase advance per hop
    every = np.arange(bins)
    steps = np.arange(0, count - 1, factor)
    length = hop * (len(steps) - 1) + n_fft
    out = np.zeros(length)
    norm = np.zeros(length)
    phase = angles[0].copy()
    for k, step in enumerate(steps):
        left = int(step)
        frac = step - left
        magnitude = (1 - frac) * magnitudes[left] + frac * magnitudes[left + 1]
        if k:
            delta = angles[left + 1] - angles[left] - expected
            delta -= 2 * np.pi * np.round(delta / (2 * np.pi))
            free = phase + expected + delta
            mag = magnitudes[left]
            peaks = np.flatnonzero((mag[1:-1] > mag[:-2]) & (mag[1:-1] >= mag[2:])) + 1
            if len(peaks):
                owner = peaks[np.searchsorted((peaks[:-1] + peaks[1:]) // 2, every, "right")]
                phase = free[owner] + angles[left] - angles[left][owner]
            else:
                phase = free
        frame = np.fft.irfft(magnitude * np.exp(1j * phase), n=n_fft) * window
        out[k * hop : k * hop + n_fft] += frame
        norm[k * hop : k * hop + n_fft] += window**2
    out /= np.maximum(norm, 1e-3)
    return fit(out[n_fft // 2 :], n_out)


def change_speed(x, factor, keep_pitch):
    return stretch(x, factor) if keep_pitch else resample(x, factor)


def fit(x, n):
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros(n - len(x), dtype=x.dtype)])
