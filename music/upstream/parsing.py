"""Defensive readers for values both wire formats share."""

from music.upstream.base import AlignedWord, Timing


def text(value):
    return value if isinstance(value, str) else ""


def number(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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
