"""Deterministic song synthesis for the offline simulator upstream.

Everything here is pure numpy (plus lameenc for MP3). A song is planned from its inputs (key,
scale, tempo, instruments, song structure, melody), then rendered as two stems: a sung lead
("vocals") and a backing band ("instrumental"). The same inputs always give the same samples;
no global RNG and no Python ``hash()`` is involved, so results are stable across processes.

Timing model: tempo is rounded so that one sixteenth note is a whole number of samples. Every
musical event therefore lands on an exact sample, which is what lets a repeated chorus produce
bit-identical vocal audio and lets ``Line.start``/``Line.end`` be exact.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import wave
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 22050

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

    @property
    def mix(self) -> np.ndarray:
        # The stems were scaled at render time so this sum never exceeds 0.9.
        return self.vocals + self.instrumental

    @property
    def duration(self) -> float:
        return len(self.vocals) / SAMPLE_RATE


# --------------------------------------------------------------------------------------------
# Deterministic randomness


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def _rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(_digest(*parts)[:8], "big"))


def _unit(*parts: object) -> float:
    """A stable float in [0, 1) derived from ``parts``."""
    return int.from_bytes(_digest(*parts)[:6], "big") / float(1 << 48)


def _pick(options, *parts: object):
    return options[int(_unit(*parts) * len(options))]


# --------------------------------------------------------------------------------------------
# Style analysis and the musical plan

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
_MAJOR_PENTA = (0, 2, 4, 7, 9)
_MINOR_PENTA = (0, 3, 5, 7, 10)

_MINOR_WORDS = {
    "sad", "dark", "minor", "melancholic", "melancholy", "moody", "gloomy", "sorrow", "sorrowful",
    "lonely", "heartbreak", "heartbroken", "haunting", "emo", "gothic", "tragic", "grief", "blue",
    "somber", "sombre", "tears", "cry", "crying", "eerie", "mournful", "nostalgic", "bittersweet",
}  # fmt: skip
_MAJOR_WORDS = {
    "happy", "upbeat", "bright", "joyful", "cheerful", "major", "sunny", "uplifting", "fun",
    "playful", "summer", "party", "celebration", "feelgood", "euphoric",
}  # fmt: skip
_CJK_MINOR = ("悲", "伤", "忧", "哀", "泪", "孤独", "暗")
_CJK_CHINESE = ("中国", "古风", "国风", "民乐", "古筝", "二胡", "戏曲")


def _words(text: str) -> set[str]:
    low = text.lower().replace("-", " ").replace("&", " and ")
    words = set(re.findall(r"[^\W_]+", low))
    # Multi-word genres are easier to match as joined tokens.
    if "drum and bass" in low or "dnb" in words:
        words.add("dnb")
    if "hip hop" in low:
        words.add("hiphop")
    if "lo fi" in low:
        words.add("lofi")
    if "a cappella" in low or "acapella" in words:
        words.add("acappella")
    return words


def _has(words: set[str], *keys: str) -> bool:
    return any(k in words for k in keys)


@dataclass(frozen=True)
class _Plan:
    seed: str
    variant: int
    melody: str  # seeds progressions, motifs and rhythms; the seed itself unless overridden
    tonic: int  # pitch class of the key
    minor: bool
    penta: bool
    scale7: tuple[int, ...]  # harmony is always built on a heptatonic scale
    mscale: tuple[int, ...]  # the melody scale (pentatonic for traditional Chinese styles)
    s16: int  # samples per sixteenth note
    comp: str
    pad: str
    drums: str
    bass: str
    arp: str
    lead: str
    voice_midi: int  # a tonic near the bottom of the singer's window; melody degrees count from it
    voice_range: tuple[int, int]  # lowest and highest MIDI note the melody may use
    formant: float
    vib_rate: float


def _plan(
    seed: str,
    style: str,
    variant: int,
    melody: str | None = None,
    voice: tuple[int, float, float] | None = None,
) -> _Plan:
    text = f"{style} {seed}"
    w = _words(text)
    chinese = _has(w, "chinese", "traditional", "guzheng", "erhu", "oriental", "asian", "koto")
    chinese = chinese or any(k in text for k in _CJK_CHINESE)
    edm = _has(w, "edm", "dance", "house", "techno", "trance", "disco", "club", "electro", "dnb")
    rock = _has(w, "rock", "metal", "punk", "grunge", "hardcore")
    synth = _has(w, "synth", "synthwave", "electronic", "synthpop", "electropop", "80s")
    slow = _has(w, "ballad", "slow", "lullaby", "ambient", "lofi", "chill", "downtempo", "calm")
    no_drums = _has(w, "ambient", "acappella", "drumless")

    if _has(w, *_MINOR_WORDS) or any(k in text for k in _CJK_MINOR):
        minor = True
    elif _has(w, *_MAJOR_WORDS):
        minor = False
    else:
        minor = _unit(seed, "mode") < 0.35

    tempo_u = _unit(seed, "tempo")
    if _has(w, "dnb"):
        bpm = 170 + 4 * tempo_u
    elif _has(w, "punk", "metal", "hardcore"):
        bpm = 150 + 26 * tempo_u
    elif edm:
        bpm = 120 + 8 * tempo_u
    elif rock:
        bpm = 118 + 24 * tempo_u
    elif slow:
        bpm = 64 + 18 * tempo_u
    elif _has(w, "hiphop", "rap", "trap", "rnb"):
        bpm = 82 + 14 * tempo_u
    else:
        bpm = 90 + 38 * tempo_u
    # The second clip of a job is a different "take": a little faster, re-voiced.
    bpm *= 1.0 + 0.06 * (variant % 2)
    s16 = int(round(SAMPLE_RATE * 15.0 / bpm))

    # The first explicitly named instrument wins; otherwise the genre decides.
    named = [
        (text.lower().find(word), inst)
        for word, inst in (
            ("piano", "piano"),
            ("keys", "piano"),
            ("guitar", "guitar"),
            ("guzheng", "pluck"),
            ("synth", "stab"),
        )
        if word in text.lower()
    ]
    if chinese:
        comp = "pluck"
    elif named:
        comp = min(named)[1]
    elif rock:
        comp = "power"
    elif edm:
        comp = "stab"
    elif _has(w, "acoustic", "folk", "country", "indie"):
        comp = "guitar"
    elif slow:
        comp = "piano"
    else:
        comp = _pick(("piano", "guitar", "stab", "piano"), seed, "comp")
    if comp == "piano" and variant % 2:
        comp = "epiano"

    if _has(w, "strings", "orchestral", "cinematic", "epic", "violin", "cello"):
        pad = "strings"
    elif _has(w, "organ", "gospel", "church"):
        pad = "organ"
    elif edm or synth:
        pad = "synth"
    elif chinese:
        pad = "strings"
    else:
        pad = _pick(("warm", "strings", "warm"), seed, "pad")

    if no_drums:
        drums = "none"
    elif edm:
        drums = "four"
    elif rock:
        drums = "rock"
    elif chinese:
        drums = "light"
    elif slow:
        drums = "ballad"
    else:
        drums = "pop"

    if edm or synth:
        bass = "synth"
    elif rock or comp == "guitar":
        bass = "picked"
    else:
        bass = "sub"

    if chinese:
        arp = "pluck"
    elif comp in ("stab",) or edm or synth:
        arp = "synthpluck"
    elif comp in ("piano", "epiano"):
        arp = "piano"
    elif comp == "guitar":
        arp = "none"
    else:
        arp = "synthpluck" if not rock else "none"

    if chinese:
        lead = "flute"
    elif rock:
        lead = "dist"
    elif edm or synth or comp == "stab":
        lead = "saw"
    else:
        lead = "reed"

    tonic = int(_unit(seed, "key") * 12)
    # Singer's window: A3-E5 for a female voice, A2-E4 for a male one.
    if _has(w, "female", "woman", "girl", "soprano", "alto") or "女" in text:
        low, formant = 57, 1.16
    elif _has(w, "male", "man", "boy", "baritone", "tenor") or "男" in text:
        low, formant = 45, 1.0
    elif _unit(seed, "voice") < 0.5:
        low, formant = 57, 1.14
    else:
        low, formant = 45, 1.0
    # A different take also sounds like a slightly different singer.
    formant *= 1.0 + 0.05 * (variant % 2)
    vib_rate = 5.4 + 0.5 * _unit(seed, "vibrato") + 0.3 * (variant % 2)
    if voice is not None:  # a persona: the same singer whatever the song
        low, formant, vib_rate = int(voice[0]), float(voice[1]), float(voice[2])

    scale7 = _MINOR if minor else _MAJOR
    mscale = (_MINOR_PENTA if minor else _MAJOR_PENTA) if chinese else scale7
    return _Plan(
        seed=seed,
        variant=variant,
        melody=seed if melody is None else melody,
        tonic=tonic,
        minor=minor,
        penta=chinese,
        scale7=scale7,
        mscale=mscale,
        s16=s16,
        comp=comp,
        pad=pad,
        drums=drums,
        bass=bass,
        arp=arp,
        lead=lead,
        voice_midi=low + (tonic - low) % 12,
        voice_range=(low, low + 19),
        formant=formant,
        vib_rate=vib_rate,
    )


def voice_of(seed: str, style: str = "", variant: int = 0) -> tuple[int, float, float]:
    """The singer a song gets: (lowest MIDI note, formant scale, vibrato rate)."""
    plan = _plan(seed or "", style or "", int(variant))
    return plan.voice_range[0], plan.formant, plan.vib_rate


# --------------------------------------------------------------------------------------------
# Lyrics: sections and syllables

_SECTION_KINDS = (
    (("pre-chorus", "pre chorus", "prechorus", "build"), "pre"),
    (("chorus", "hook", "refrain", "副歌"), "chorus"),
    (("verse", "主歌"), "verse"),
    (("bridge", "middle 8", "桥段"), "bridge"),
    (("intro", "前奏"), "intro"),
    (("outro", "ending", "coda", "尾奏", "fade"), "outro"),
    (("instrumental", "solo", "interlude", "break", "drop", "间奏"), "inst"),
)
_HEADER_RE = re.compile(r"^\[([^\[\]]*)\]\s*(.*)$")


def _section_kind(name: str) -> str:
    low = name.lower().strip()
    if low in ("end", "end song", "fin"):
        return "end"
    for keys, kind in _SECTION_KINDS:
        if any(k in low for k in keys):
            return kind
    return "verse"


@dataclass
class _Block:
    name: str
    kind: str
    lines: list[str]
    bars: int = 0  # only for blocks without lines


def _parse_lyric(lyric: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for raw in lyric.splitlines():
        text = raw.strip()
        if not text:
            continue
        match = _HEADER_RE.match(text)
        if match:
            name = match.group(1).strip() or "Verse"
            kind = _section_kind(name)
            if kind == "end":
                break
            current = _Block(name, kind, [])
            blocks.append(current)
            if match.group(2).strip():
                current.lines.append(match.group(2).strip())
            continue
        if current is None:
            current = _Block("Verse", "verse", [])
            blocks.append(current)
        current.lines.append(text)

    # Keep only lines that have something to sing.
    for block in blocks:
        block.lines = [line for line in block.lines if _syllables(line)]

    # A bare "[Chorus]" after a written-out chorus means "repeat it", as a person would read it.
    seen: dict[str, list[str]] = {}
    for block in blocks:
        key = block.name.lower()
        if block.lines:
            seen.setdefault(key, block.lines)
            if block.kind == "chorus":
                seen.setdefault("#chorus", block.lines)
            continue
        repeat = seen.get(key) or (seen.get("#chorus") if block.kind == "chorus" else None)
        if repeat:
            block.lines = list(repeat)
        elif block.kind in ("intro", "outro"):
            block.bars = 2
        else:
            block.bars = 4
    return blocks


def _placeholder_blocks(seed: str) -> list[_Block]:
    """A verse/chorus structure of "la"/"oh" lines for songs given only a description."""

    def lines(tag: str, count: int, chorus: bool) -> list[str]:
        out = []
        for i in range(count):
            rng = _rng(seed, "placeholder", tag, i)
            n = int(rng.integers(5, 10))
            if chorus:
                words = ["oh" if rng.random() < 0.35 else "la" for _ in range(n)]
                words[-1] = "oh"
            else:
                words = ["la"] * n
            out.append(" ".join(words))
        return out

    chorus = lines("chorus", 4, True)
    return [
        _Block("Verse", "verse", lines("verse1", 4, False)),
        _Block("Chorus", "chorus", chorus),
        _Block("Verse 2", "verse", lines("verse2", 4, False)),
        _Block("Chorus", "chorus", list(chorus)),
        _Block("Bridge", "bridge", lines("bridge", 2, False)),
        _Block("Chorus", "chorus", list(chorus)),
    ]


# Syllables carry a vowel (picks the formants) and an onset consonant class (picks the noise).
_VOWEL_CLASS: dict[str, str] = {}
for _chars, _v in (
    ("aàáâãäåæāąаяαά", "a"),
    ("eèéêëēęěеёэεέηή", "e"),
    ("iìíîïīyýÿиыιίυύ", "i"),
    ("oòóôõöøōœоοόωώ", "o"),
    ("uùúûüūůую", "u"),
):
    for _c in _chars:
        _VOWEL_CLASS[_c] = _v
_VOWEL_RUN = re.compile("[" + "".join(_VOWEL_CLASS) + "]+")
_CONS_CLASS: dict[str, str] = {}
for _chars, _k in (
    ("szcxjçşšžßсзшщжчц", "s"),
    ("fvфв", "f"),
    ("tkpdgbqткпдгб", "t"),
    ("mnlrwyмнлрй", "n"),
    ("hх", "h"),
):
    for _c in _chars:
        _CONS_CLASS[_c] = _k
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(f"[{_CJK}]|[^\\W\\d_{_CJK}]+|\\d+")
# Hangul medial vowel index -> vowel class, initial consonant index -> consonant class.
_HANGUL_V = "aeaeoeoeoaeeouoeiuuii"
_HANGUL_C = "ttnttnnttss-ssstttth"  # "-": no onset consonant


def _word_syllables(word: str) -> list[tuple[str, str]]:
    w = word.lower()
    runs = [(m.start(), m.end()) for m in _VOWEL_RUN.finditer(w)]
    if not runs:
        return [("u", _CONS_CLASS.get(w[:1], ""))]
    # Silent final "e" ("love", "fire") but not "-le" ("little").
    if len(runs) > 1 and runs[-1] == (len(w) - 1, len(w)) and w[-1] == "e" and w[-2:] != "le":
        runs.pop()
    out = []
    prev = 0
    for start, end in runs:
        run = w[start:end]
        onset = w[prev:start]
        if run[0] == "y" and len(run) > 1:  # consonant y: "you", "yes"
            vowel, cons = _VOWEL_CLASS[run[1]], "n"
        else:
            vowel, cons = _VOWEL_CLASS[run[0]], _CONS_CLASS.get(onset[-1:], "")
        out.append((vowel, cons))
        prev = end
    return out


def _syllables(text: str) -> list[tuple[str, str]]:
    """(vowel, consonant) per sung syllable: one per CJK character, one per vowel group."""
    out: list[tuple[str, str]] = []
    for token in _TOKEN_RE.findall(text):
        ch = token[0]
        if len(token) == 1 and re.match(f"[{_CJK}]", ch):
            code = ord(ch) - 0xAC00
            if 0 <= code < 11172:
                out.append((_HANGUL_V[(code % 588) // 28], _HANGUL_C[code // 588].strip("-")))
            else:
                d = _digest("syllable", ch)
                out.append(("aeiou"[d[0] % 5], ("", "t", "s", "n", "h", "f")[d[1] % 6]))
        elif token.isdigit():
            out.extend([("i", "t")] * min(len(token), 4))
        else:
            out.extend(_word_syllables(token))
    return out


# --------------------------------------------------------------------------------------------
# Harmony and melody

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


# --------------------------------------------------------------------------------------------
# DSP building blocks


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


# --------------------------------------------------------------------------------------------
# Instruments (one-shots, cached)

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


# --------------------------------------------------------------------------------------------
# Sung phrases (and the instrumental lead, which is the same model without words)

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


# --------------------------------------------------------------------------------------------
# Patterns, one character per sixteenth: X accent, x normal, o soft, "-" holds, "." rest.

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


# --------------------------------------------------------------------------------------------
# Rendering


def _render_band(
    plan: _Plan, bars: list[_Bar], leads: list[_LinePlan], length: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drums, bass and the tonal layers (comp, pad, arpeggio, lead) as separate buffers."""
    sr = SAMPLE_RATE
    s16 = plan.s16
    bar_len = 16 * s16
    extra = int(3.0 * sr)
    drums = np.zeros(length + extra, dtype=np.float32)
    bass = np.zeros(length + extra, dtype=np.float32)
    tonal = np.zeros(length + extra, dtype=np.float32)
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
            _place(tonal, run_start * bar_len, _pad(plan.pad, voicing, n), gain)
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
                    _place(drums, start + pos * s16, clip, _DRUM_GAIN[name] * vel)

        # Bass follows the chord roots.
        bass_root = 33 + (root_pc - 9) % 12
        pattern = "r---------------" if final else _BASS[bass_style][level]
        for pos, ln, sym in _events(pattern):
            midi = bass_root + {"r": 0, "f": 7, "o": 12}[sym]
            n = ln * s16 - int(0.02 * sr) + (max(tail, 0) if final else 0)
            _place(bass, start + pos * s16, _bass_note(plan.bass, midi, n), 0.36)

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
                    _place(tonal, at, clip, 0.22 * vel)
                    continue
                if comp in ("guitar", "pluck"):
                    for j, m in enumerate(voicing[:5]):
                        _place(tonal, at + j * int(0.012 * sr), _note(comp, m, n), 0.16 * vel)
                    continue
                for m in voicing:
                    _place(tonal, at, _note(comp, m, n), 0.2 * vel)
            elif sym.isdigit():
                m = voicing[int(sym) % len(voicing)]
                _place(tonal, at, _note("pluck" if comp == "pluck" else comp, m, n), 0.24)
            elif sym in "DU":
                order = voicing if sym == "D" else voicing[::-1][:3]
                gain = 0.15 if sym == "D" else 0.1
                for j, m in enumerate(order):
                    _place(tonal, at + j * int(0.011 * sr), _note("guitar", m, n), gain)
            elif sym in "Pp":
                gain = 0.32 if sym == "P" else 0.24
                _place(tonal, at, _power_chord(voicing[0], n if sym == "P" else 2 * s16), gain)

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
                _place(tonal, start + pos * s16, _note(inst, m, step * s16), gain)

        # A guzheng glissando sweeps into each chorus.
        nxt = bars[b + 1] if b + 1 < len(bars) else None
        if plan.penta and nxt is not None and nxt.block != bar.block and nxt.kind == "chorus":
            scale = [m for m in range(67, 96) if (m - plan.tonic) % 12 in plan.mscale][:12]
            for j, m in enumerate(scale):
                _place(tonal, start + 12 * s16 + j * (4 * s16) // 12, _note("pluck", m, s16), 0.1)

    # Wordless lead melody (instrumental songs and solo sections).
    if leads:
        timbre = _Timbre(plan.lead, 1.0, plan.vib_rate, 0.15 if plan.lead == "saw" else 0.22)
        for lp in leads:
            _place(tonal, lp.bar * bar_len, _phrase(lp.notes, plan.s16, timbre), 0.28)

    if drum_style == "four":
        # Sidechain "pump": everything tonal ducks under each kick.
        beat = 4 * s16
        pump = (1.0 - 0.45 * np.exp(-np.arange(beat) / sr * 9.0)).astype(np.float32)
        for buf in (tonal, bass):
            whole = len(buf) // beat * beat
            buf[:whole].reshape(-1, beat)[...] *= pump
            buf[whole:] *= pump[: len(buf) - whole]
    tonal += 0.3 * _convolve_long(tonal, _reverb_ir(1.6, "hall"))
    return drums[:length], bass[:length], tonal[:length]


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
) -> Rendering:
    """Render a song deterministically from its description, lyric and style.

    Sung songs list only sung lines in ``Rendering.lines``; instrumentals list one ``Line``
    (with empty text) per section. Long songs stop after the last whole line that fits in
    ``max_duration`` and finish with a one-bar outro (cut with a fade if it does not fit);
    short ones get extra outro bars until ``min_duration`` is reached.

    ``melody_seed`` swaps the tunes (progressions, motifs, rhythms) while key, tempo and sound
    still follow ``seed`` and ``style``; ``voice`` (from ``voice_of``) pins the singer.
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
    drums, bass, tonal = _render_band(plan, bars, leads, length)
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
    )


# --------------------------------------------------------------------------------------------
# Encoding and editing helpers


def _pcm16(samples: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2")


def encode_mp3(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, bitrate: int = 128) -> bytes:
    """Mono MP3 (CBR) via lameenc."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(bitrate)
    enc.set_in_sample_rate(sample_rate)
    enc.set_channels(1)
    enc.set_quality(7)
    return bytes(enc.encode(_pcm16(samples).tobytes()) + enc.flush())


def encode_wav(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Mono 16-bit PCM WAV."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(_pcm16(samples).tobytes())
    return buf.getvalue()


_MP3_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def mp3_duration(data: bytes) -> float:
    """Playing time of an MPEG audio stream, from its frame headers (an ID3v2 tag is skipped).

    A leading Xing/Info frame (which carries no audio) is not counted.
    """
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7
        size |= data[9] & 0x7F
        pos = 10 + size + (10 if data[5] & 0x10 else 0)
    total = 0.0
    frames = 0
    end = len(data)
    while pos + 4 <= end:
        (header,) = struct.unpack(">I", data[pos : pos + 4])
        if header >> 21 != 0x7FF:
            pos += 1  # resynchronise on garbage
            continue
        version_bits = (header >> 19) & 3
        layer_bits = (header >> 17) & 3
        bitrate_idx = (header >> 12) & 15
        rate_idx = (header >> 10) & 3
        padding = (header >> 9) & 1
        if version_bits == 1 or layer_bits == 0 or bitrate_idx in (0, 15) or rate_idx == 3:
            pos += 1
            continue
        version = {3: 1, 2: 2, 0: 25}[version_bits]
        layer = 4 - layer_bits
        family = 1 if version == 1 else 2
        table_layer = layer if family == 1 else (1 if layer == 1 else 2)
        bitrate = _MP3_BITRATES[(family, table_layer)][bitrate_idx] * 1000
        rate = _MP3_RATES[version][rate_idx]
        if layer == 1:
            samples = 384
            size = (12 * bitrate // rate + padding) * 4
        else:
            samples = 1152 if (layer == 2 or version == 1) else 576
            size = (samples // 8) * bitrate // rate + padding
        if size <= 4:
            pos += 1
            continue
        if frames == 0 and (b"Xing" in data[pos : pos + 64] or b"Info" in data[pos : pos + 64]):
            pos += size
            frames += 1
            continue
        total += samples / rate
        frames += 1
        pos += size
    return total


def crossfade_concat(parts: list[np.ndarray], fade: float = 0.05) -> np.ndarray:
    """Join clips with equal-power crossfades of ``fade`` seconds.

    Each junction overlaps ``min(fade * SAMPLE_RATE, len(left), len(right))`` samples, so the
    result has ``sum(len(p)) - sum(overlaps)`` samples. Empty parts are skipped.
    """
    parts = [np.asarray(p, dtype=np.float32) for p in parts if len(p)]
    if not parts:
        return np.zeros(0, dtype=np.float32)
    out = parts[0].copy()
    want = max(0, int(round(fade * SAMPLE_RATE)))
    for part in parts[1:]:
        k = min(want, len(out), len(part))
        if k == 0:
            out = np.concatenate([out, part])
            continue
        theta = np.linspace(0.0, np.pi / 2, k, dtype=np.float32)
        mixed = out[-k:] * np.cos(theta) + part[:k] * np.sin(theta)
        out = np.concatenate([out[:-k], mixed, part[k:]])
    return out
