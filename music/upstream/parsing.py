"""Defensive readers for values both wire formats share.

Nothing a provider sends is trusted: a reader returns a clean value of the expected type or
the empty one, so a poisoned answer spoils at most that value, never the task or the batch.
"""

import math
import re
from urllib.parse import urlsplit

from music.upstream.base import AlignedWord, Timing

MAX_URL = 500
MAX_ID = 100
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def text(value, limit=None):
    if not isinstance(value, str):
        return ""
    value = value.replace("\x00", "")
    return value[:limit] if limit else value


def number(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def duration(value):
    """Seconds of audio, or None for anything no song can last (negative, NaN, days)."""
    seconds = number(value)
    return seconds if seconds is not None and 0 <= seconds <= 6 * 3600 else None


def url(value):
    """An http(s) URL with a host and a valid port, or "" (never `javascript:` and the like)."""
    value = text(value).strip()
    if not value or len(value) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in value):
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return value


def identifier(value):
    """A provider id we can store and put in a URL path, or ""."""
    value = text(value).strip()
    return value if len(value) <= MAX_ID and ID_RE.match(value) else ""


def timing(data):
    """`{aligned_words: [{word, start_s, end_s, ...}], waveform_data}` (the same on both
    wires), or None when the shape is not that."""
    words = data.get("aligned_words") if isinstance(data, dict) else None
    if not isinstance(words, list):
        return None
    aligned = []
    for item in words:
        if not isinstance(item, dict) or not isinstance(item.get("word"), str):
            return None
        start, end = number(item.get("start_s")), number(item.get("end_s"))
        if start is None or end is None:
            return None
        aligned.append(
            AlignedWord(
                item["word"],
                start,
                end,
                bool(item.get("success", True)),
                number(item.get("p_align")),
            )
        )
    waveform = data.get("waveform_data")
    waveform = (
        [v for v in map(number, waveform) if v is not None] if isinstance(waveform, list) else []
    )
    return Timing(words=aligned, waveform=waveform)
