"""SunoHub / AceData: songs made from other songs, and the lyrics helpers' extra fields.

`mashup` makes one song of two (`mashup_audio_ids`, AceData's "Mashup Song Generation"
example: custom lyrics, model, instrumental); `inspo` a new song inspired by 1 to 4 reference
recordings the provider fetches (`audio_urls`; "Inspo Inspiration Creation"). `/suno/lyrics`
takes a lyrics `model` (`default` or `remi-v1`), and `/suno/mashup-lyrics` merges two songs'
lyrics (`lyrics_a`, `lyrics_b`).
"""

from music.upstream import parsing

WORDS = ("prompt", "lyric", "style", "style_negative", "title", "custom", "instrumental", "model")
ACTION_FIELDS = {
    "mashup": ("mashup_audio_ids", *WORDS),
    "inspo": ("audio_urls", "prompt", "title", "style", "model", "audio_weight"),
}
# Lyrics models of `/suno/lyrics` (AceData's docs; "" leaves the provider's `default`).
LYRICS_MODELS = ("default", "remi-v1")
# Nothing but the prompt: a mashup in inspiration mode has no title or lyrics of its own.
CUSTOM_ONLY = ("lyric", "title")


def shape(request, payload):
    """Finish a mashup / inspo body `build_payload` has filled from ACTION_FIELDS."""
    if request.action == "mashup" and not request.custom:
        for name in CUSTOM_ONLY:
            payload.pop(name, None)
    if request.action == "inspo":
        # Not in the docs' list for this action: inspo is neither custom nor instrumental.
        payload.pop("custom", None)
        payload.pop("instrumental", None)
    return payload


def lyrics_body(prompt, model=""):
    body = {"prompt": prompt}
    if model:
        body["model"] = model
    return body


def mashup_lyrics_body(lyrics_a, lyrics_b):
    return {"lyrics_a": lyrics_a, "lyrics_b": lyrics_b}


def lyrics_data(data):
    """The first candidate of a lyrics answer: newer answers list several, older one object."""
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    tags = data.get("tags")
    if isinstance(tags, list):
        tags = ", ".join(str(t) for t in tags)
    return data["text"], parsing.text(data.get("title")), parsing.text(tags)
