"""Lyrics: sections (with repeats and placeholders) and the syllables sung on each line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from music.upstream.simulator.audio.seeds import _digest, _rng

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
