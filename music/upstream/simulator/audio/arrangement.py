"""Arrangement: drum, bass and comping patterns, section gains, and the song's bar layout.

Patterns have one character per sixteenth: X accent, x normal, o soft, "-" holds, "." rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from music.upstream.simulator.audio.lyrics import _Block, _syllables
from music.upstream.simulator.audio.melody import _line_bars, _melody, _progression
from music.upstream.simulator.audio.plan import _Plan
from music.upstream.simulator.audio.seeds import _unit

_DRUMS = {
    "pop": {
        0: {"kick": "x.......x.......", "hat": "o...o...o...o..."},
        1: {"kick": "X.......x.x.....", "snare": "....X.......X...", "hat": "x.o.x.o.x.o.x.o."},
        2: {
            "kick": "X.....x.x.x.....",
            "snare": "....X.......X..o",
            "hat": "x.x.x.x.x.x.x...",
            "ohat": "..............x.",
        },
        3: {"kick": "x.........x.....", "snare": "........x.......", "hat": "x...x...x...x..."},
    },
    "four": {
        0: {"kick": "x...x...x...x...", "ohat": "..o...o...o...o."},
        1: {"kick": "X...X...X...X...", "clap": "....x.......x...", "ohat": "..x...x...x...x."},
        2: {
            "kick": "X...X...X...X...",
            "clap": "....X.......X...",
            "hat": "oxo.oxo.oxo.oxo.",
            "ohat": "..x...x...x...x.",
        },
        3: {"hat": "..o...o...o...o.", "clap": "............o..."},
    },
    "rock": {
        0: {"kick": "x.......x.......", "hat": "x.x.x.x.x.x.x.x."},
        1: {"kick": "X.......X.x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."},
        2: {"kick": "X.x.....X.x.....", "snare": "....X.......X...", "hat": "X.x.X.x.X.x.X.x."},
        3: {"kick": "x.......x.......", "snare": "........X.......", "hat": "x.x.x.x.x.x.x.x."},
    },
    "ballad": {
        0: {"hat": "o.......o......."},
        1: {"kick": "x.........x.....", "rim": "........x.......", "hat": "o.o.o.o.o.o.o.o."},
        2: {"kick": "X.........x.....", "snare": "....x.......x...", "hat": "x.o.x.o.x.o.x.o."},
        3: {"kick": "x...............", "rim": "........o.......", "hat": "o...o...o...o..."},
    },
    "light": {
        0: {"shaker": "o.o.o.o.o.o.o.o."},
        1: {"kick": "x.......x.......", "wood": "....x.......x...", "shaker": "o.o.o.o.o.o.o.o."},
        2: {"kick": "X.....x.x.......", "wood": "....x.......x.o.", "shaker": "x.o.x.o.x.o.x.o."},
        3: {"kick": "x...............", "wood": "........x.......", "shaker": "o...o...o...o..."},
    },
    "none": {0: {}, 1: {}, 2: {}, 3: {}},
}
_DRUM_GAIN = {
    "kick": 0.9,
    "snare": 0.55,
    "clap": 0.5,
    "hat": 0.16,
    "ohat": 0.12,
    "crash": 0.22,
    "shaker": 0.14,
    "rim": 0.3,
    "wood": 0.35,
}
_BASS = {
    "pop": ("r---------------", "r-------r-----f-", "r-----r-r---f-o-", "r---------------"),
    "four": ("r---------------", "..r-..r-..r-..r-", "..r-..r-..r-..o-", "r---------------"),
    "rock": ("r-------r-------", "r-r-r-r-r-r-r-r-", "r-r-r-r-r-r-f-o-", "r-------r-------"),
    "ballad": ("r---------------", "r-------f-------", "r-----r-f-------", "r---------------"),
}
_COMP = {
    "piano": (
        ("C---------------", "C---2-1-c---2-3-", "C---c-c-C---c-c-", "C-------c-------"),
        ("C-------c-------", "C-1-2-3-c-1-2-3-", "C-c-c-C-c-c-C-c-", "C---------------"),
    ),
    "guitar": (
        ("D---------------", "D---D-U---U-D-U-", "D-D-D-U-D-U-D-U-", "D-------D-------"),
        ("D-------D-------", "D-----U-D-U-D-U-", "D-DUD-U-D-DUD-U-", "D---------------"),
    ),
    "power": (
        ("P---------------", "p-p-p-p-p-p-p-p-", "P-p-p-p-P-p-p-p-", "P-------P-------"),
        ("P-------P-------", "p-p-P-p-p-p-P-p-", "P-p-p-P-p-p-P-p-", "P---------------"),
    ),
    "pluck": (
        ("0---1---2---3---", "0-2-1-3-2-4-3-1-", "0-1-2-4-3-5-4-2-", "0-------2-------"),
        ("0---2---1---3---", "0-1-2-1-3-2-4-2-", "0213024135241342", "0---------------"),
    ),
    "stab": (
        ("C---------------", "..c-..c-..c-..c-", "..C-..c-..C-..c-", "C---------------"),
        ("C-------C-------", "..c-..c-..c-.cc-", "..C-.cC-..C-.cc-", "C---------------"),
    ),
}
_LEVEL = {"intro": 0, "verse": 1, "pre": 1, "chorus": 2, "inst": 2, "bridge": 3, "outro": 0}
_PAD_GAIN = {"intro": 0.8, "verse": 0.5, "pre": 0.7, "chorus": 0.75, "inst": 0.7, "bridge": 1.0}


def _events(pattern: str) -> list[tuple[int, int, str]]:
    """(position, length in sixteenths, symbol) for each struck symbol of a pattern."""
    out = []
    for i, ch in enumerate(pattern):
        if ch in ".-":
            continue
        j = i + 1
        while j < len(pattern) and pattern[j] == "-":
            j += 1
        out.append((i, j - i, ch))
    return out


_VEL = {"X": 1.0, "x": 0.8, "o": 0.45}


def _place(buf: np.ndarray, start: int, clip: np.ndarray, gain: float) -> None:
    stop = min(len(buf), start + len(clip))
    if stop > start >= 0:
        buf[start:stop] += gain * clip[: stop - start]


def _in_range(pcs, lo: int) -> list[int]:
    """Each pitch class placed in [lo, lo + 12), ascending: close voicing, smooth voice leading."""
    return sorted(lo + (pc - lo) % 12 for pc in pcs)


# --------------------------------------------------------------------------------------------
# Song layout


@dataclass(frozen=True)
class _Bar:
    block: int
    name: str
    kind: str
    index: int  # bar number within its block
    chord: int  # scale degree of the chord root


_EXTRA_BLOCK = 1_000_000  # block id for outro bars added by truncation or padding


@dataclass(frozen=True)
class _LinePlan:
    text: str
    section: str
    block: int
    bar: int  # absolute bar index of the line's first bar
    bars: int
    notes: tuple
    harmony: tuple | None


def _layout(
    plan: _Plan, blocks: list[_Block], intro_bars: int
) -> tuple[list[_Bar], list[_LinePlan]]:
    if not blocks or blocks[0].kind != "intro" or blocks[0].lines:
        blocks = [_Block("Intro", "intro", [], intro_bars), *blocks]
    if blocks[-1].kind != "outro" or blocks[-1].lines:
        blocks = [*blocks, _Block("Outro", "outro", [], 2)]
    bars: list[_Bar] = []
    lines: list[_LinePlan] = []
    for b, block in enumerate(blocks):
        prog = _progression(plan, block.kind)
        first = len(bars)
        if block.lines:
            line_syl = [_syllables(text) for text in block.lines]
            count = sum(_line_bars(len(s)) for s in line_syl)
        else:
            line_syl = []
            count = block.bars
        for i in range(count):
            # Outros are aligned to their end so the song always cadences onto the tonic.
            chord = prog[(i - count) % 4] if block.kind == "outro" else prog[i % 4]
            bars.append(_Bar(b, block.name, block.kind, i, chord))
        at = first
        for i, (text, syl) in enumerate(zip(block.lines, line_syl, strict=True)):
            nb = _line_bars(len(syl))
            chords = [bars[at + j].chord for j in range(nb)]
            notes, harmony = _melody(plan, block.kind, i, syl, chords, plan.voice_midi)
            lines.append(_LinePlan(text, block.name, b, at, nb, notes, harmony))
            at += nb
    return bars, lines


def _instrumental_leads(plan: _Plan, bars: list[_Bar]) -> list[_LinePlan]:
    """Melodies for an instrumental's lead instrument: the would-be sung lines, wordless."""
    out = []
    i = 0
    while i < len(bars):
        bar = bars[i]
        if bar.kind in ("intro", "outro") or i + 2 > len(bars) or bars[i + 1].block != bar.block:
            i += 1
            continue
        count = 5 + int(_unit(plan.melody, "lead", bar.kind, bar.index // 2 % 4) * 5)
        chords = [bars[i].chord, bars[i + 1].chord]
        base = plan.voice_midi + (12 if plan.voice_midi < 62 else 0)
        notes, _ = _melody(plan, bar.kind, bar.index // 2, [("o", "")] * count, chords, base)
        out.append(_LinePlan("", bar.name, bar.block, i, 2, notes, None))
        i += 2
    return out
