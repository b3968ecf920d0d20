"""Replace a section by lyric lines: from aligned words to a `replace_section` request.

Seed 003 explains the request by example: fetch the song's timing, pick the lines to
change, send `lyric` (the lyric up to and including the new lines) and `prompt` (the new
lines), with the window's start and end seconds, at most a minute apart. These functions do
that arithmetic so nobody has to, and say clearly when a selection cannot be sent.
"""

import re
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

MAX_WINDOW = 60.0  # seconds; the upstream refuses longer replacements
HEADER_RE = re.compile(r"^\[[^\]\n]{1,40}\]$")


@dataclass
class TimedLine:
    index: int
    header: str  # "[Chorus]" when this line opens a section, else ""
    text: str
    start: float
    end: float

    def as_dict(self):
        return {
            "i": self.index,
            "header": self.header,
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
        }


def is_header(line):
    return bool(HEADER_RE.match(line.strip()))


def timed_lines(words):
    """Lyric lines with their times, from aligned words.

    Providers align per line (seed 003: "[Verse]\\n窗外鞭炮声震天响\\n") or per word; words
    are gathered until one ends a line. A section header travels with its first line.
    """
    lines, header, pending = [], "", []

    def flush():
        nonlocal header, pending
        text = "".join(p["word"] for p in pending).strip()
        sung = [part.strip() for part in text.split("\n") if part.strip()]
        body = []
        for part in sung:
            if is_header(part):
                header = part
            else:
                body.append(part)
        if body:
            start, end = float(pending[0]["start"]), float(pending[-1]["end"])
            step = (end - start) / len(body)
            # Several lines in one entry share its time in proportion.
            for n, text_line in enumerate(body):
                lines.append(
                    TimedLine(
                        len(lines), header, text_line, start + n * step, start + (n + 1) * step
                    )
                )
                header = ""
        pending = []

    for word in words:
        pending.append(word)
        if word["word"].rstrip(" \t").endswith("\n"):
            flush()
    if pending:
        flush()
    return lines


def normalise_words(words):
    """Accept aligned words as the upstream sends them or as we store them."""
    return [
        {
            "word": w.get("word", ""),
            "start": w.get("start", w.get("start_s")),
            "end": w.get("end", w.get("end_s")),
        }
        for w in words
        if isinstance(w, dict) and w.get("word") is not None
    ]


@dataclass
class Replacement:
    start: float
    end: float
    lyric: str  # everything before the selection, then the new lines
    prompt: str  # the new lines
    errors: list

    @property
    def ok(self):
        return not self.errors


def selected_text(lines, first, last):
    """The selected lines as the user sees them, with headers inside the selection."""
    out = []
    for line in lines[first : last + 1]:
        if line.header and line.index != first:
            out.append(line.header)
        out.append(line.text)
    return "\n".join(out)


def build_replacement(lines, first, last, new_text, *, duration=None, start=None, end=None):
    """The `replace_section` fields for lines[first..last] rewritten as `new_text`.

    `start`/`end` override the aligned times (the user dragged the region's edges).
    """
    errors = []
    if not lines:
        return Replacement(0, 0, "", "", [_("This song has no timed lyric lines to replace.")])
    if not (0 <= first <= last < len(lines)):
        return Replacement(0, 0, "", "", [_("Choose one or more lines to replace.")])
    start = lines[first].start if start is None else float(start)
    end = lines[last].end if end is None else float(end)

    new_lines = [line.strip() for line in (new_text or "").splitlines() if line.strip()]
    if not [line for line in new_lines if not is_header(line)]:
        errors.append(_("Write the new lines that replace the selection."))
    if end <= start:
        errors.append(_("The end of the section must come after its start."))
    elif end - start > MAX_WINDOW + 1e-6:
        errors.append(
            _(
                "The section is %(len)s s long; the provider replaces at most %(max)s s "
                "at a time. Select fewer lines."
            )
            % {"len": round(end - start, 1), "max": int(MAX_WINDOW)}
        )
    if start < 0 or (duration is not None and end > duration + 0.05):
        errors.append(
            _("The section must lie inside the song (0 to %(end)s s).")
            % {"end": round(duration or 0, 1)}
        )

    opening = lines[first].header
    if opening and (not new_lines or new_lines[0] != opening):
        new_lines.insert(0, opening)  # the seed's example keeps a replaced section's header
    prompt = "".join(f"{line}\n" for line in new_lines)
    before = []
    for line in lines[:first]:
        if line.header:
            before.append(line.header)
        before.append(line.text)
    lyric = "".join(f"{line}\n" for line in before) + prompt
    return Replacement(start, end, lyric, prompt, errors)


# --- exports ---------------------------------------------------------------------------
def _clock(seconds, sep):
    ms = int(round(max(seconds, 0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_lrc(lines, *, title="", artist=""):
    out = []
    if title:
        out.append(f"[ti:{title}]")
    if artist:
        out.append(f"[ar:{artist}]")
    for line in lines:
        cs = int(round(line.start * 100))
        m, cs = divmod(cs, 6000)
        out.append(f"[{m:02d}:{cs // 100:02d}.{cs % 100:02d}]{line.text}")
    return "\n".join(out) + "\n"


def to_srt(lines):
    blocks = [
        f"{n}\n{_clock(line.start, ',')} --> {_clock(line.end, ',')}\n{line.text}\n"
        for n, line in enumerate(lines, start=1)
    ]
    return "\n".join(blocks)


def _numbers(waveform):
    """The waveform as a flat float array: at once when it is the flat list of numbers it
    should be, else only its numbers (a provider's stray values are not trusted)."""
    try:
        values = np.asarray(waveform, dtype=float)
        if values.ndim == 1:
            return values
    except (TypeError, ValueError):
        pass
    return np.asarray([v for v in waveform if isinstance(v, int | float)], dtype=float)


def compact_peaks(waveform, points=1200):
    """The waveform downsampled (max per bucket) to at most `points`, two decimals."""
    values = np.abs(_numbers(waveform))
    values = values[np.isfinite(values)]
    if not values.size:
        return []
    if values.size > points:
        starts = (np.arange(points) * (values.size / points)).astype(int)
        values = np.maximum.reduceat(values, starts)
    return np.round(values / (values.max() or 1.0), 2).tolist()
