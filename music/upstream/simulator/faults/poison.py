"""Poison: spoiling the clips in an answer while keeping their `audio_url` valid."""

import json
from urllib.parse import urlsplit, urlunsplit


def is_clip(obj):
    """A clip as either wire shows it (SunoHub `state`, relay `status`), with an audio URL."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
        and "audio_url" in obj
        and ("state" in obj or "status" in obj)
    )


def clips_in(obj):
    """Every clip object anywhere in a decoded answer."""
    if is_clip(obj):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from clips_in(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from clips_in(value)


def poison_clip(clip, chosen, host="127.0.0.1"):
    """Spoil a clip in place with the chosen poisons; its `audio_url` stays valid."""
    metadata = clip.get("metadata") if isinstance(clip.get("metadata"), dict) else None
    if "long_title" in chosen:
        clip["title"] = f"{clip.get('title') or ''} " + "overlong title " * 22  # 330+ chars
    if "nul" in chosen:
        clip["title"] = f"{clip.get('title') or ''}\u0000nul"
        if metadata is not None:
            metadata["prompt"] = f"{metadata.get('prompt') or ''}\u0000"
        else:
            clip["lyric"] = f"\u0000{clip.get('lyric') or ''}"
    if "nan_duration" in chosen:
        (metadata if metadata is not None else clip)["duration"] = float("nan")
    if "bad_port" in chosen:
        clip["image_url"] = with_port(clip.get("image_url"), 99999, host)
        if "image_large_url" in clip:
            clip["image_large_url"] = clip["image_url"]
    if "js_video" in chosen:
        clip["video_url"] = "javascript:alert(1)"
    if "number_style" in chosen:
        if metadata is not None:
            metadata["tags"] = 12345
            clip["display_tags"] = 12345
        else:
            clip["style"] = 12345
    return clip


def with_port(url, port, host):
    parts = urlsplit(url or "")
    hostname = parts.hostname or host
    return urlunsplit(
        (parts.scheme or "http", f"{hostname}:{port}", parts.path or "/x.png", parts.query, "")
    )


def dumps(payload):
    # allow_nan: a poisoned duration goes out as the bare token NaN, as sloppy servers write.
    return json.dumps(payload, ensure_ascii=False, allow_nan=True).encode()
