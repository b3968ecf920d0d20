"""The SunoHub wire's fields for songs made from other songs, and its lyrics helpers.

`mashup_audio_ids` and `audio_urls` onto an order (engine.blend checks them like the service);
`/suno/lyrics`' `model` (`default` or `remi-v1`, AceData's docs); `/suno/mashup-lyrics`, whose
answer merges the lines of `lyrics_a` and `lyrics_b` (AceData's example: `data.text`, the title
"Lyrics Mashup", empty `tags`).
"""

import re
import uuid

from music.upstream.simulator.engine.common import bad_request

LYRICS_MODELS = ("default", "remi-v1")
SECTION = re.compile(r"^\s*\[[^\]]+\]\s*$")


def _ids(body, name):
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"`{name}` must be a list of strings.")
    return [v.strip() for v in value]


def read_blend(order, body):
    order.mashup_audio_ids = _ids(body, "mashup_audio_ids")
    order.audio_urls = _ids(body, "audio_urls")


def lyrics_model(body):
    """The lyrics model asked for, checked ("" when none was sent)."""
    model = body.get("model")
    if model is None:
        return ""
    if model not in LYRICS_MODELS:
        raise bad_request("`model` must be one of: default, remi-v1.")
    return model


def sections(text):
    """The lyric's sections, each a list of lines (a header line starts a new one)."""
    found, current = [], []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        if SECTION.match(line) and current:
            found.append(current)
            current = []
        current.append(line.strip())
    if current:
        found.append(current)
    return found


def merge_lyrics(lyrics_a, lyrics_b):
    """A's and B's sections in turn (A's first verse, B's first verse, ...): every line of
    both, each song's in its own order."""
    a, b = sections(lyrics_a), sections(lyrics_b)
    merged = []
    for k in range(max(len(a), len(b))):
        for part in (a, b):
            if k < len(part):
                merged.append("\n".join(part[k]))
    return "\n\n".join(merged)


def mashup_lyrics(body):
    a, b = body.get("lyrics_a"), body.get("lyrics_b")
    if not isinstance(a, str) or not a.strip():
        raise bad_request("`lyrics_a` is required.")
    if not isinstance(b, str) or not b.strip():
        raise bad_request("`lyrics_b` is required.")
    return {
        "success": True,
        "task_id": str(uuid.uuid4()),
        "data": {
            "text": merge_lyrics(a, b),
            "title": "Lyrics Mashup",
            "tags": [],
            "status": "complete",
        },
    }
