"""Deterministic song synthesis for the offline simulator upstream.

Everything here is pure numpy (plus lameenc for MP3). A song is planned from its inputs (key,
scale, tempo, instruments, song structure, melody), then rendered as two stems: a sung lead
("vocals") and a backing band ("instrumental"). The same inputs always give the same samples;
no global RNG and no Python ``hash()`` is involved, so results are stable across processes.

Timing model: tempo is rounded so that one sixteenth note is a whole number of samples. Every
musical event therefore lands on an exact sample, which is what lets a repeated chorus produce
bit-identical vocal audio and lets ``Line.start``/``Line.end`` be exact.

The package is split by concern, lowest layer first: ``seeds`` (deterministic randomness),
``dsp`` (signal helpers), ``plan`` (key, tempo, instruments, singer), ``lyrics`` (sections,
syllables), ``melody`` (harmony, motifs, rhythm), ``instruments`` and ``voice`` (sounds),
``arrangement`` (patterns, bar layout), ``render`` (the stems) and ``encoding`` (PCM, MP3, WAV).
This module re-exports the public API, so callers import ``audio`` as one module.
"""

from music.upstream.simulator.audio.dsp import SAMPLE_RATE
from music.upstream.simulator.audio.encoding import (
    crossfade_concat,
    encode_mp3,
    encode_wav,
    mp3_duration,
)

# The tests inspect two internals (a song's plan, a lyric's syllables): re-exported, not public.
from music.upstream.simulator.audio.lyrics import _syllables as _syllables
from music.upstream.simulator.audio.plan import _plan as _plan
from music.upstream.simulator.audio.plan import voice_of
from music.upstream.simulator.audio.render import Line, Rendering, render_song

__all__ = [
    "SAMPLE_RATE",
    "Line",
    "Rendering",
    "render_song",
    "voice_of",
    "encode_mp3",
    "encode_wav",
    "mp3_duration",
    "crossfade_concat",
]
