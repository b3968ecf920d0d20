"""Rendering: the band and vocal stems, section timings, and ``render_song``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from music.upstream.simulator.audio.arrangement import (
    _BASS,
    _COMP,
    _DRUM_GAIN,
    _DRUMS,
    _EXTRA_BLOCK,
    _LEVEL,
    _PAD_GAIN,
    _VEL,
    _Bar,
    _events,
    _in_range,
    _instrumental_leads,
    _layout,
    _LinePlan,
    _place,
)
from music.upstream.simulator.audio.dsp import SAMPLE_RATE, _convolve_long, _reverb_ir, _rms
from music.upstream.simulator.audio.instruments import _bass_note, _drum, _note, _pad, _power_chord
from music.upstream.simulator.audio.lyrics import _parse_lyric, _placeholder_blocks
from music.upstream.simulator.audio.melody import _chord_pcs, _progression
from music.upstream.simulator.audio.plan import _Plan, _plan
from music.upstream.simulator.audio.seeds import _rng
from music.upstream.simulator.audio.voice import _phrase, _sung_line, _Timbre


@dataclass(frozen=True)
class Line:
    """One sung lyric line (or, for instrumentals, one section) and when it is heard."""

    text: str
    section: str
    start: float
    end: float


@dataclass
class Rendering:
    """A rendered song: two stems that sum exactly to the mix, plus its timing metadata."""

    vocals: np.ndarray
    instrumental: np.ndarray
    lines: list[Line]
    sections: list[tuple[str, float, float]]
    # What was played, as MIDI would say it: [{name, notes: [{pitch, start, end, velocity}]}]
    # (the sung melody, its chorus harmony, the instrumental leads). `/suno/midi` answers it.
    notes: list = field(default_factory=list)

    @property
    def mix(self) -> np.ndarray:
        # The stems were scaled at render time so this sum never exceeds 0.9.
        return self.vocals + self.instrumental

    @property
    def duration(self) -> float:
        return len(self.vocals) / SAMPLE_RATE


def _render_band(
    plan: _Plan,
    bars: list[_Bar],
    leads: list[_LinePlan],
    length: int,
    layers: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drums, bass and the tonal layers (comp, pad, arpeggio, lead) as separate buffers.

    `layers`, when given, is filled with each instrument's own buffer as well (kit,
    percussion, pad, comp, arp, gliss, lead and the reverb's wet signal "fx"): the 12-stem
    separation weighs the finished band by them (`audio.parts`). The band itself is the
    same either way."""
    sr = SAMPLE_RATE
    s16 = plan.s16
    bar_len = 16 * s16
    extra = int(3.0 * sr)
    drums = np.zeros(length + extra, dtype=np.float32)
    bass = np.zeros(length + extra, dtype=np.float32)
    tonal = np.zeros(length + extra, dtype=np.float32)
    track = _Tracker(layers, length + extra)

    def put(buf, name, at, clip, gain):
        _place(buf, at, clip, gain)
        track.place(name, at, clip, gain)

    v = plan.variant % 2
    tail = length - len(bars) * bar_len  # ringing time after the final bar
    last = len(bars) - 1

    # Pad: one held chord per run of equal chords in a block, so it breathes with the harmony.
    run_start = 0
    for i in range(len(bars) + 1):
        if i < len(bars) and i > run_start:
            prev = bars[i - 1]
            if bars[i].chord == prev.chord and bars[i].block == prev.block:
                continue
        if i > run_start:
            bar = bars[run_start]
            voicing = tuple(_in_range(_chord_pcs(plan, bar.chord), 55 + 5 * v))
            n = (i - run_start) * bar_len + int(0.3 * sr) + (max(tail, 0) if i == len(bars) else 0)
            gain = 0.2 * _PAD_GAIN.get(bar.kind, 0.8)
            put(tonal, "pad", run_start * bar_len, _pad(plan.pad, voicing, n), gain)
        run_start = i

    drum_style = plan.drums
    bass_style = drum_style if drum_style in _BASS else "ballad"
    comp_patterns = _COMP["piano" if plan.comp == "epiano" else plan.comp][v]
    for b, bar in enumerate(bars):
        start = b * bar_len
        level = _LEVEL.get(bar.kind, 1)
        final = b == last
        rng = _rng(plan.seed, "humanise", b)
        pcs = _chord_pcs(plan, bar.chord)
        root_pc = pcs[0]

        # Drums. Intros only get going in their last bar; the final bar is one big hit.
        if drum_style != "none":
            if final:
                hits = {"kick": "X...............", "crash": "X..............."}
            elif bar.kind == "intro" and b + 1 < len(bars) and bars[b + 1].kind == "intro":
                hits = {}
            else:
                hits = dict(_DRUMS[drum_style][level])
                nxt = bars[b + 1] if b + 1 < len(bars) else None
                if bar.index == 0 and bar.kind in ("chorus", "inst") and drum_style != "light":
                    hits["crash"] = "X..............."
                if nxt is not None and nxt.block != bar.block and nxt.kind in ("chorus", "inst"):
                    fill = "snare" if drum_style in ("pop", "rock", "ballad") else "clap"
                    if drum_style == "light":
                        fill = "wood"
                    hits[fill] = hits.get(fill, "." * 16)[:12] + "oxxX"
            for name, pattern in hits.items():
                clip = _drum(name)
                for pos, _, sym in _events(pattern):
                    vel = _VEL[sym] * (0.92 + 0.08 * rng.random())
                    part = "perc" if name in PERCUSSION else "kit"
                    put(drums, part, start + pos * s16, clip, _DRUM_GAIN[name] * vel)

        # Bass follows the chord roots.
        bass_root = 33 + (root_pc - 9) % 12
        pattern = "r---------------" if final else _BASS[bass_style][level]
        for pos, ln, sym in _events(pattern):
            midi = bass_root + {"r": 0, "f": 7, "o": 12}[sym]
            n = ln * s16 - int(0.02 * sr) + (max(tail, 0) if final else 0)
            put(bass, "bass", start + pos * s16, _bass_note(plan.bass, midi, n), 0.36)

        # Comping instrument.
        comp = plan.comp
        if final:
            pattern = {"power": "P", "guitar": "D"}.get(comp, "C") + "-" * 15
        else:
            pattern = comp_patterns[level]
        if comp in ("piano", "epiano", "stab"):
            voicing = [48 + (root_pc - 48) % 12, *_in_range(pcs, 60 - 5 * v)]
        elif comp == "guitar":
            r = 40 + (root_pc - 40) % 12
            third = (pcs[1] - pcs[0]) % 12
            voicing = [r, r + 7, r + 12, r + 12 + third, r + 19]
        elif comp == "power":
            voicing = [40 + (root_pc - 40) % 12]
        else:
            penta = {(plan.tonic + s) % 12 for s in plan.mscale}
            tones = [pc for pc in pcs if pc in penta] or list(pcs)
            voicing = [m for m in range(57, 90) if m % 12 in tones][:7]
        for pos, ln, sym in _events(pattern):
            n = ln * s16 + (max(tail, 0) if final else 0)
            at = start + pos * s16
            vel = _VEL.get(sym.upper() if sym in "DUP" else sym, 0.8)
            if sym in "cC":
                vel = 1.0 if sym == "C" else 0.7
                if comp == "stab":
                    clip = sum(_note("synthpluck", m, n) for m in voicing[1:])
                    put(tonal, "comp", at, clip, 0.22 * vel)
                    continue
                if comp in ("guitar", "pluck"):
                    for j, m in enumerate(voicing[:5]):
                        put(tonal, "comp", at + j * int(0.012 * sr), _note(comp, m, n), 0.16 * vel)
                    continue
                for m in voicing:
                    put(tonal, "comp", at, _note(comp, m, n), 0.2 * vel)
            elif sym.isdigit():
                m = voicing[int(sym) % len(voicing)]
                put(tonal, "comp", at, _note("pluck" if comp == "pluck" else comp, m, n), 0.24)
            elif sym in "DU":
                order = voicing if sym == "D" else voicing[::-1][:3]
                gain = 0.15 if sym == "D" else 0.1
                for j, m in enumerate(order):
                    put(tonal, "comp", at + j * int(0.011 * sr), _note("guitar", m, n), gain)
            elif sym in "Pp":
                gain = 0.32 if sym == "P" else 0.24
                put(tonal, "comp", at, _power_chord(voicing[0], n if sym == "P" else 2 * s16), gain)

        # Arpeggio lifts choruses (and keeps EDM verses moving).
        busy = level == 2 or (drum_style == "four" and level == 1) or level == 3
        if plan.arp != "none" and busy and not final:
            tones = _in_range(pcs, 67)
            tones = [*tones, tones[0] + 12]
            step = 1 if plan.arp == "synthpluck" and level == 2 else 2
            order = (0, 1, 2, 3, 2, 1) if v else (0, 1, 2, 3)
            inst = {"piano": "piano", "pluck": "pluck"}.get(plan.arp, "synthpluck")
            gain = 0.1 if level == 3 else 0.13
            for j, pos in enumerate(range(0, 16, step)):
                m = tones[order[j % len(order)]]
                put(tonal, "arp", start + pos * s16, _note(inst, m, step * s16), gain)

        # A guzheng glissando sweeps into each chorus.
        nxt = bars[b + 1] if b + 1 < len(bars) else None
        if plan.penta and nxt is not None and nxt.block != bar.block and nxt.kind == "chorus":
            scale = [m for m in range(67, 96) if (m - plan.tonic) % 12 in plan.mscale][:12]
            for j, m in enumerate(scale):
                put(
                    tonal,
                    "gliss",
                    start + 12 * s16 + j * (4 * s16) // 12,
                    _note("pluck", m, s16),
                    0.1,
                )

    # Wordless lead melody (instrumental songs and solo sections).
    if leads:
        timbre = _Timbre(plan.lead, 1.0, plan.vib_rate, 0.15 if plan.lead == "saw" else 0.22)
        for lp in leads:
            put(tonal, "lead", lp.bar * bar_len, _phrase(lp.notes, plan.s16, timbre), 0.28)

    if drum_style == "four":
        # Sidechain "pump": everything tonal ducks under each kick.
        beat = 4 * s16
        pump = (1.0 - 0.45 * np.exp(-np.arange(beat) / sr * 9.0)).astype(np.float32)
        for buf in (tonal, bass, *track.pumped()):
            whole = len(buf) // beat * beat
            buf[:whole].reshape(-1, beat)[...] *= pump
            buf[whole:] *= pump[: len(buf) - whole]
    wet = 0.3 * _convolve_long(tonal, _reverb_ir(1.6, "hall"))
    tonal += wet
    track.keep("fx", wet)
    track.finish(length)
    return drums[:length], bass[:length], tonal[:length]


# Drum sounds a separation puts in "percussion" rather than the kit.
PERCUSSION = frozenset({"shaker", "wood", "clap", "rim"})
TONAL_LAYERS = ("pad", "comp", "arp", "gliss", "lead")


class _Tracker:
    """Each instrument's own copy of what `_render_band` places (only when asked)."""

    def __init__(self, layers, size):
        self.layers = layers
        self.size = size

    def place(self, name, at, clip, gain):
        if self.layers is None:
            return
        if name not in self.layers:
            self.layers[name] = np.zeros(self.size, dtype=np.float32)
        _place(self.layers[name], at, clip, gain)

    def pumped(self):
        """The layers the sidechain pump ducks (the tonal ones and the bass)."""
        if self.layers is None:
            return []
        return [buf for name, buf in self.layers.items() if name in (*TONAL_LAYERS, "bass")]

    def keep(self, name, buf):
        if self.layers is not None:
            self.layers[name] = buf.copy()

    def finish(self, length):
        if self.layers is not None:
            for name in self.layers:
                self.layers[name] = self.layers[name][:length]


def _render_vocals(plan: _Plan, lines: list[_LinePlan], length: int) -> np.ndarray:
    bar_len = 16 * plan.s16
    voice = _Timbre("voice", plan.formant, plan.vib_rate, 0.28, 0.012)
    out = np.zeros(length, dtype=np.float32)
    for lp in lines:
        _place(out, lp.bar * bar_len, _sung_line(lp.notes, lp.harmony, plan.s16, voice), 1.0)
    return out


def _sections(bars: list[_Bar], bar_len: int, length: int) -> list[tuple[str, float, float]]:
    """(name, start, end) per block, clipped to the audio; adjacent outros are merged."""
    total = length / SAMPLE_RATE
    out: list[tuple[str, float, float]] = []
    prev: _Bar | None = None
    for i, bar in enumerate(bars):
        start = i * bar_len / SAMPLE_RATE
        if start >= total:
            break
        if prev is not None and bar.block == prev.block:
            continue
        if out:
            out[-1] = (out[-1][0], out[-1][1], start)
        if prev is not None and prev.kind == bar.kind == "outro":
            prev = bar
            continue
        out.append((bar.name, start, total))
        prev = bar
    return out


def _truncate(
    bars: list[_Bar], lines: list[_LinePlan], bar_len: int, max_samples: int
) -> tuple[list[_Bar], list[_LinePlan]]:
    """Keep the whole lines that fit with at least half an outro bar after them."""
    kept = [lp for lp in lines if (lp.bar + lp.bars) * bar_len + bar_len // 2 <= max_samples]
    kept = lines[: len(kept)]  # lines are in time order, so this is a prefix
    if kept:
        cut = kept[-1].bar + kept[-1].bars
        return [*bars[:cut], _Bar(_EXTRA_BLOCK, "Outro", "outro", 0, 0)], kept
    return bars[: max(1, max_samples // bar_len)], []


def render_song(
    *,
    seed: str,
    lyric: str = "",
    style: str = "",
    instrumental: bool = False,
    variant: int = 0,
    max_duration: float = 240.0,
    min_duration: float = 8.0,
    melody_seed: str | None = None,
    voice: tuple[int, float, float] | None = None,
    layers: dict | None = None,
) -> Rendering:
    """Render a song deterministically from its description, lyric and style.

    Sung songs list only sung lines in ``Rendering.lines``; instrumentals list one ``Line``
    (with empty text) per section. Long songs stop after the last whole line that fits in
    ``max_duration`` and finish with a one-bar outro (cut with a fade if it does not fit);
    short ones get extra outro bars until ``min_duration`` is reached.

    ``melody_seed`` swaps the tunes (progressions, motifs, rhythms) while key, tempo and sound
    still follow ``seed`` and ``style``; ``voice`` (from ``voice_of``) pins the singer.
    ``layers``, when given, receives each instrument's buffer as it went into the band.
    """
    sr = SAMPLE_RATE
    plan = _plan(seed or "", style or "", int(variant), melody_seed, voice)
    max_samples = max(1, int(max_duration * sr))
    min_samples = min(max_samples, int(max(0.0, min_duration) * sr))
    bar_len = 16 * plan.s16
    ring = int(1.2 * sr)  # the last chord rings on after the final bar

    blocks = _parse_lyric(lyric or "")
    if not any(b.lines for b in blocks):
        blocks = _placeholder_blocks(plan.melody)
    bars, lines = _layout(plan, blocks, 2 if max_duration >= 30 else 1)
    if len(bars) * bar_len + ring > max_samples:
        bars, lines = _truncate(bars, lines, bar_len, max_samples)
        if not lines and not instrumental:
            # Very short limits at slow tempi: give up the intro rather than the singing.
            bars0, lines0 = _truncate(*_layout(plan, blocks, 0), bar_len, max_samples)
            if lines0:
                bars, lines = bars0, lines0
    if len(bars) * bar_len + ring < min_samples:
        # Too short: loop outro bars, re-harmonised so the ending still lands on the tonic.
        while len(bars) * bar_len + ring < min_samples:
            last = bars[-1]
            if last.kind == "outro":
                bars.append(_Bar(last.block, last.name, "outro", last.index + 1, 0))
            else:
                bars.append(_Bar(_EXTRA_BLOCK, "Outro", "outro", 0, 0))
        prog = _progression(plan, "outro")
        j = len(bars)
        while j > 0 and bars[j - 1].block == bars[-1].block:
            j -= 1
        count = len(bars) - j
        for i in range(count):
            old = bars[j + i]
            bars[j + i] = _Bar(old.block, old.name, old.kind, i, prog[(i - count) % 4])
    length = min(max_samples, len(bars) * bar_len + ring)

    leads = _instrumental_leads(plan, bars)
    if not instrumental:  # sung songs still get a lead over their instrumental breaks
        leads = [lp for lp in leads if bars[lp.bar].kind == "inst"]
    drums, bass, tonal = _render_band(plan, bars, leads, length, layers)
    if layers is not None:  # as loud as each went into the band below
        for name in layers:
            layers[name] *= 0.9 if name in ("kit", "perc") else 1.0 if name == "bass" else 1.4
    # Long buffers are float32 and combined in place: a 3-minute song is ~4M samples.
    band = drums
    band *= 0.9
    band += bass
    tonal *= 1.4
    band += tonal
    del bass, tonal
    band *= 0.3 / _rms(band)
    np.tanh(band, out=band)  # bus saturation tames drum peaks before the final limiter
    band *= 0.5
    if instrumental:
        vocals = np.zeros(length, dtype=np.float32)
    else:
        vocals = _render_vocals(plan, lines, length)

    # Fades are applied to both stems alike so they still sum to the mix.
    cut_short = length < len(bars) * bar_len + ring
    f_out = min(length, int((0.8 if cut_short else 0.4) * sr))
    fade_out = (np.cos(np.linspace(0.0, np.pi / 2, f_out)) ** 2).astype(np.float32)
    f_in = min(length, 64)
    fade_in = np.linspace(0.0, 1.0, f_in, dtype=np.float32)
    for stem in (band, vocals):
        stem[length - f_out :] *= fade_out
        stem[:f_in] *= fade_in

    # Sung songs leave headroom for the voice; instrumentals carry the whole loudness alone.
    band *= (0.15 if instrumental else 0.12) / _rms(band)
    if lines and not instrumental:
        mask = np.zeros(length, dtype=bool)
        for lp in lines:
            s = (lp.bar * 16 + lp.notes[0][0]) * plan.s16
            e = (lp.bar * 16 + lp.notes[-1][0] + lp.notes[-1][1]) * plan.s16
            mask[s:e] = True
        if mask.any():
            vocals *= _rms(band[mask]) / _rms(vocals[mask])
    peak = float(np.max(np.abs(vocals + band))) if length else 0.0
    if peak > 0.89:
        vocals *= 0.89 / peak
        band *= 0.89 / peak

    s16 = plan.s16
    if instrumental:
        out_lines = [
            Line("", name, start, end) for name, start, end in _sections(bars, bar_len, length)
        ]
    else:
        out_lines = [
            Line(
                lp.text,
                lp.section,
                (lp.bar * 16 + lp.notes[0][0]) * s16 / sr,
                (lp.bar * 16 + lp.notes[-1][0] + lp.notes[-1][1]) * s16 / sr,
            )
            for lp in lines
        ]
    return Rendering(
        vocals=vocals,
        instrumental=band,
        lines=out_lines,
        sections=_sections(bars, bar_len, length),
        notes=_played_notes(plan, [] if instrumental else lines, leads, length),
    )


MIDI_VELOCITY = {"Vocals": 0.8, "Harmony vocals": 0.6, "Lead": 0.7}


def _played_notes(plan: _Plan, lines: list[_LinePlan], leads: list[_LinePlan], length: int):
    """The notes each part played, in seconds, cut at the song's end (a note that starts
    after it is not heard, so it is not listed)."""
    s16, sr, end = plan.s16, SAMPLE_RATE, length / SAMPLE_RATE

    def part(plans, which):
        out = []
        for lp in plans:
            notes = lp.notes if which == "notes" else (lp.harmony or ())
            for onset, size, midi, *_ in notes:
                start = (lp.bar * 16 + onset) * s16 / sr
                if start < end:
                    stop = min(end, (lp.bar * 16 + onset + size) * s16 / sr)
                    out.append((start, stop, int(midi)))
        return out

    parts = (
        ("Vocals", part(lines, "notes")),
        ("Harmony vocals", part(lines, "harmony")),
        ("Lead", part(leads, "notes")),
    )
    return [
        {
            "name": name,
            "notes": [
                {
                    "pitch": p,
                    "start": round(a, 6),
                    "end": round(b, 6),
                    "velocity": MIDI_VELOCITY[name],
                }
                for a, b, p in sorted(found)
            ],
        }
        for name, found in parts
        if found
    ]
