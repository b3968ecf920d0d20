"""Mixing a new layer into one stem of a finished clip, inside a window only.

The stem stays int16 and untouched outside the window (not a sample is re-rounded there),
so "the layer is only in the window" holds exactly. Inside, the layer fades in and out over
a few milliseconds (no clicks at the edges) and is scaled so that the stem, and the stem
plus the clip's other stem, stay under the ceiling the simulator stores mixes at.
"""

import numpy as np

from music.upstream.simulator.audio.dsp import SAMPLE_RATE
from music.upstream.simulator.audio.rework import envelope

FADE_SECONDS = 0.02
HEADROOM = 0.98  # media.HEADROOM: the loudest a stem or a mix may be stored
SCALE = 32767.0


def add_in_window(stem, layer, start, *, other, sample_rate=SAMPLE_RATE):
    """`stem` (int16) with float `layer` (-1..1) added from sample `start` on, for as long
    as the layer lasts (cut at the stem's end); `other` is the clip's other stem."""
    stem = np.asarray(stem)
    out = stem.copy()
    end = min(len(stem), start + len(layer))
    if end <= start:
        return out
    layer = np.asarray(layer[: end - start], dtype=np.float64)
    fade = min(int(FADE_SECONDS * sample_rate), len(layer) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        layer[:fade] *= ramp
        layer[-fade:] *= ramp[::-1]
    here = stem[start:end].astype(np.float64) / SCALE
    beside = np.asarray(other[start:end], dtype=np.float64) / SCALE
    # A limiter on the new layer only, riding what is there: where the stem or the mix is
    # near the ceiling the layer gives way, elsewhere it plays at full level.
    there = envelope(np.maximum(np.abs(here), np.abs(here + beside)))
    room = np.maximum(HEADROOM - there, 0.0)
    gain = np.minimum(1.0, room / np.maximum(envelope(layer), 1e-9))
    layer = layer * gain
    out[start:end] = np.round(np.clip(here + layer, -1.0, 1.0) * SCALE).astype(out.dtype)
    return out
