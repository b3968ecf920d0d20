"""Harmony and melody: chord progressions, motifs, rhythms and the notes of each line."""

from __future__ import annotations

import numpy as np

from music.upstream.simulator.audio.plan import _Plan
from music.upstream.simulator.audio.seeds import _pick, _rng

_PROGRESSIONS = {
    False: {
        "intro": ((0, 3, 5, 4), (0, 4, 3, 4), (0, 3, 0, 4)),
        "verse": ((0, 5, 3, 4), (0, 4, 5, 3), (0, 3, 0, 4), (5, 3, 0, 4)),
        "pre": ((3, 4, 5, 4), (1, 3, 4, 4)),
        "chorus": ((3, 4, 0, 5), (0, 4, 5, 3), (5, 3, 0, 4), (3, 0, 4, 5)),
        "bridge": ((5, 3, 1, 4), (1, 4, 0, 5), (3, 4, 2, 5)),
        "outro": ((0, 3, 4, 0), (5, 3, 4, 0)),
    },
    True: {
        "intro": ((0, 5, 0, 6), (0, 3, 5, 4), (0, 5, 3, 6)),
        "verse": ((0, 5, 2, 6), (0, 3, 5, 4), (0, 6, 5, 6), (0, 5, 3, 4)),
        "pre": ((3, 4, 5, 6), (5, 6, 3, 4)),
        "chorus": ((5, 2, 6, 0), (5, 6, 0, 0), (0, 5, 2, 6), (3, 5, 6, 0)),
        "bridge": ((3, 4, 5, 6), (5, 6, 3, 4), (3, 0, 5, 6)),
        "outro": ((0, 5, 6, 0), (3, 5, 6, 0)),
    },
}


def _progression(plan: _Plan, kind: str) -> tuple[int, ...]:
    table = _PROGRESSIONS[plan.minor]
    key = {"inst": "chorus"}.get(kind, kind)
    prog = _pick(table[key], plan.melody, "progression", key)
    if key == "chorus":
        verse = _pick(table["verse"], plan.melody, "progression", "verse")
        if prog == verse:  # a chorus should not sound like the verse again
            prog = table["chorus"][(table["chorus"].index(prog) + 1) % len(table["chorus"])]
    return prog


def _chord_pcs(plan: _Plan, degree: int) -> tuple[int, int, int]:
    s = plan.scale7
    return tuple((plan.tonic + s[(degree + i) % 7]) % 12 for i in (0, 2, 4))  # type: ignore[return-value]


def _mdeg_midi(plan: _Plan, degree: int, base: int) -> int:
    n = len(plan.mscale)
    return base + 12 * (degree // n) + plan.mscale[degree % n]


_LETTERS = "ABAC"
# Where in the singer's window each kind of section sits (0 = bottom, 1 = top).
_CENTRES = {"verse": 0.3, "pre": 0.45, "chorus": 0.6, "bridge": 0.5, "intro": 0.4, "outro": 0.3}


def _degree_window(plan: _Plan) -> tuple[int, int]:
    """Melody degrees (relative to ``voice_midi``) that stay inside the singer's window."""
    lo_midi, hi_midi = plan.voice_range
    n = len(plan.mscale)
    degrees = range(-2 * n, 3 * n)
    inside = [d for d in degrees if lo_midi <= _mdeg_midi(plan, d, plan.voice_midi) <= hi_midi]
    return inside[0], inside[-1]


def _nearest(d: int, lo: int, hi: int, n: int, residue: int) -> int:
    """The degree closest to ``d`` within [lo, hi] that is ``residue`` modulo ``n``."""
    options = [x for x in range(lo, hi + 1) if x % n == residue]
    return min(options, key=lambda x: (abs(x - d), x)) if options else d


def _motif(plan: _Plan, kind: str, letter: str) -> np.ndarray:
    """An 8-point melodic contour (melody-scale degrees) shared by same-shaped lines."""
    n = len(plan.mscale)
    rng = _rng(plan.melody, "motif", kind, letter)
    lo, hi = _degree_window(plan)
    d = lo + round(_CENTRES.get(kind, 0.6) * (hi - lo)) + int(rng.integers(-1, 2))
    pts = [d]
    steps = np.array([-3, -2, -1, 0, 1, 2, 3])
    probs = np.array([0.05, 0.15, 0.25, 0.12, 0.25, 0.13, 0.05])
    for _ in range(7):
        d = int(np.clip(d + rng.choice(steps, p=probs), lo, hi))
        pts.append(d)
    if letter == "C":  # cadence: come home to the tonic
        pts[-1] = _nearest(pts[-2], lo, hi, n, 0)
    elif letter == "B":  # half cadence on the fifth
        pts[-1] = _nearest(pts[-2], lo, hi, n, 4 if n == 7 else 3)
    return np.array(pts, dtype=float)


def _rhythm(plan: _Plan, n: int, bars: int, key: tuple) -> list[tuple[int, int]]:
    """(onset, length) in sixteenths for ``n`` syllables; the last beat stays free to breathe."""
    total = bars * 16 - 4
    for unit in (4, 2, 1):
        cap = total // unit
        if n <= cap * (0.55 if unit == 4 else 0.9 if unit == 2 else 1.0):
            break
    n = min(n, cap)
    rng = _rng(plan.melody, "rhythm", *key, n, bars)
    lengths = np.ones(n, dtype=int)
    slack = cap - n
    lead = 0
    if slack > n:  # plenty of room: sometimes start on the off-beat
        lead = int(rng.integers(0, 2))
        slack -= lead
    tail = min(slack, int(rng.integers(1, 4)))
    lengths[-1] += tail
    slack -= tail
    if slack > 0:
        np.add.at(lengths, rng.integers(0, n, size=slack), 1)
    onsets = lead + np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return [(int(o) * unit, int(ln) * unit) for o, ln in zip(onsets, lengths, strict=True)]


def _fit_syllables(syl: list[tuple[str, str]], cap: int) -> list[tuple[str, str]]:
    if len(syl) <= cap:
        return syl
    keep = np.linspace(0, len(syl) - 1, cap).round().astype(int)
    return [syl[i] for i in keep]


def _line_bars(syl_count: int) -> int:
    return 2 if syl_count <= 16 else 4


def _melody(
    plan: _Plan,
    kind: str,
    index: int,
    syl: list[tuple[str, str]],
    chords: list[int],
    base: int,
) -> tuple[tuple, tuple | None]:
    """Notes ``(onset16, len16, midi, vowel, consonant)`` for a line, plus a chorus harmony."""
    bars = len(chords)
    letter = _LETTERS[index % 4]
    syl = _fit_syllables(syl, bars * 16 - 4)
    rhythm = _rhythm(plan, len(syl), bars, (kind, letter))
    syl = _fit_syllables(syl, len(rhythm))
    n = len(rhythm)
    contour = _motif(plan, kind, letter)
    degrees = np.interp(np.linspace(0, 7, n), np.arange(8), contour).round().astype(int)
    ns = len(plan.mscale)
    lo, hi = _degree_window(plan)
    notes, harmony = [], []
    for i, ((on, ln), (vowel, cons)) in enumerate(zip(rhythm, syl, strict=True)):
        d = int(degrees[i])
        pcs = _chord_pcs(plan, chords[min(on // 16, bars - 1)])
        strong = on % 4 == 0 or ln >= 4 or i == n - 1
        if strong:
            # Notes that land on beats or are held must agree with the chord underneath.
            # Stay inside the singer's window when possible, stepping just outside if not.
            for delta in (0, -1, 1, -2, 2, -3, 3):
                if lo - 1 <= d + delta <= hi + 1 and _mdeg_midi(plan, d + delta, base) % 12 in pcs:
                    d += delta
                    break
        midi = _mdeg_midi(plan, d, base)
        notes.append((on, ln, midi, vowel, cons))
        if kind == "chorus" and ns == 7:
            harmony.append((on, ln, _mdeg_midi(plan, d + 2, base), vowel, cons))
    return tuple(notes), (tuple(harmony) if harmony else None)
