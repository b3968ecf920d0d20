"""SunoHub's (AceData's) fields for a layer added in a window and for covers of uploads
(issue #15): "Add Instrumental Function", "Add Vocals Feature" and "Music Reproduction" of
the `/suno/audios` guide.
"""

# Which request fields each action takes. `upload_cover` is `cover` "on custom uploaded
# music" (the docs: it "must be specified as `upload_cover`"), so it takes cover's fields.
LAYER_FIELDS = {
    "underpainting": ("audio_id", "model", "style", "underpainting_start", "underpainting_end"),
    "overpainting": (
        "audio_id",
        "model",
        "custom",
        "lyric",
        "style",
        "overpainting_start",
        "overpainting_end",
    ),
    "upload_cover": ("audio_id", "prompt", "lyric", "style", "style_negative", "title", "model"),
}


def shape(payload):
    """A window from second 0 leaves its start out: 0 is the documented default, and the
    docs' examples send only the end."""
    for name in ("underpainting_start", "overpainting_start"):
        if payload.get(name) == 0:
            del payload[name]
    return payload
