"""Style analysis and the musical plan: key, scale, tempo, instruments and the singer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from music.upstream.simulator.audio.dsp import SAMPLE_RATE
from music.upstream.simulator.audio.seeds import _pick, _unit

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


def voice_for_gender(gender: str, seed: str, style: str = "", variant: int = 0):
    """The singer for a requested vocal gender ("f"/"m"): the same windows and formants the
    style words "female"/"male" pick, so a female request sings an octave-ish higher."""
    plan = _plan(seed or "", style or "", int(variant))
    low, formant = (57, 1.16) if gender == "f" else (45, 1.0)
    return low, formant * (1.0 + 0.05 * (int(variant) % 2)), plan.vib_rate


def without_styles(style: str, negative: str) -> str:
    """The style with every excluded word taken out (what `negative_tags` asks for)."""
    banned = _words(negative or "")
    if not banned:
        return style
    parts = []
    for part in (style or "").split(","):
        kept = [w for w in part.split() if not (_words(w) & banned)]
        if kept:
            parts.append(" ".join(kept))
    return ", ".join(parts)
