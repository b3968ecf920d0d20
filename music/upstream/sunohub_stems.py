"""The `/suno/audios` fields of the stem actions (issue #15; AceData's docs, "Add Stem" and
"Extract Stem", and the `all_stems` example): only these go in each body."""

STEM_ACTION_FIELDS = {
    "all_stems": ("audio_id",),
    "extract_stem": ("audio_id", "stem_type", "audio_format"),
    "add_stem": (
        "audio_id",
        "stem_type",
        "model",
        "prompt",
        "title",
        "style",
        "style_negative",
        "weirdness",
        "style_influence",
        "audio_weight",
        "max_mode",
        "variety",
    ),
}
