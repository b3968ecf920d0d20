"""The simulator's engine: jobs, clips and their audio, whatever the wire format.

A job holds the clips one request made and progresses by the clock: `pending` for
`queued_seconds`, `running` for `running_seconds`, then `succeeded` (or `error` when the
`fail_jobs` fault was set). Each clip keeps a *spec*: what it is made from, either a song
recipe (seed, melody, style, take, voice, lyric) or other clips and times (extend, concat,
replace, stems). Its int16 PCM stems are rendered once, lazily, the first time the finished clip
is needed; every render is deterministic from the spec.

Wire formats (SunoHub's now, a relay later) turn their requests into an `Order`, call
`submit`, and read `ClipView`s back; refusals are `ApiError(status, code, message)`, which each
format dresses in its own error shape.

Layout, one concern a module: `common` (errors, `Order`, `ClipView`, `Faults`), `core` (the
state database, jobs, phases, clip views and specs: the `Engine` itself), `orders` (validating
and planning each action), `rework` (remaster, speed changes and samples: orders and renders of
a clip's own audio), `layers` (underpainting / overpainting: a layer added in a window; a
replaced section spliced into the whole song; covers of uploads), `side` (uploads, personas,
timing, WAV and MP4), `rendering` (stems, mixes, media files and cover art). `Engine` is one
object assembled from mixins rather than composed helpers: every part works on the same jobs,
clips and per-thread connection and calls the others (an order needs its source rendered, a
render needs specs), and callers and tests use one instance (`engine.submit`,
`engine.ensure_rendered`, patching `engine._render`).
"""

from music.upstream.simulator.engine.common import (
    SONG_KINDS,
    ApiError,
    ClipView,
    Faults,
    Order,
    bad_request,
    poisoned,
)
from music.upstream.simulator.engine.core import Engine
from music.upstream.simulator.engine.orders import (
    AUDIO_ACTIONS,
    FRAGMENT_KINDS,
    REPLACE_MAX_WINDOW,
    SECOND_TAKE,
)
from music.upstream.simulator.engine.rendering import (
    CONCAT_FADE,
    MEDIA_TYPES,
    audio_voice,
    join_offsets,
    lines_to_lyric,
    song_lines,
)

__all__ = [
    "AUDIO_ACTIONS",
    "CONCAT_FADE",
    "FRAGMENT_KINDS",
    "MEDIA_TYPES",
    "REPLACE_MAX_WINDOW",
    "SECOND_TAKE",
    "SONG_KINDS",
    "ApiError",
    "ClipView",
    "Engine",
    "Faults",
    "Order",
    "audio_voice",
    "bad_request",
    "join_offsets",
    "lines_to_lyric",
    "poisoned",
    "song_lines",
]
