"""The advanced generation controls: names, documented ranges and who takes them.

One table for the create form, the SunoHub payload and the simulator's validation, so the
three never disagree. Ranges are AceData's (`POST /suno/audios`): the three sliders 0-1 with
0 a real value, `vocal_gender` f/m for v4.5 and newer, `variety` off..max for `generate`,
`max_mode` for custom `generate`, `lyric_prompt` for custom mode without lyrics, `duration`
(10-360 whole seconds) for custom `generate`.
"""

from django.utils.translation import gettext_lazy as _

SLIDERS = ("weirdness", "style_influence", "audio_weight")
SLIDER_MIN, SLIDER_MAX = 0.0, 1.0
VOCAL_GENDERS = ("f", "m")
VARIETIES = ("off", "normal", "high", "extra", "max")
RESULT_MODES = ("full_song", "candidates")
# `duration`: the length asked for, whole seconds (AceData: "an integer, range from 10 to
# 360", custom mode, a tendency the model refers to). A model makes no longer songs than its
# "Maximum Song Duration", so the form refuses more than that too.
DURATION_MIN, DURATION_MAX = 10, 360

# Controls that only custom mode takes (AceData: "in custom mode"); the rest also go with a
# description.
CUSTOM_ONLY = (
    "weirdness",
    "style_influence",
    "audio_weight",
    "max_mode",
    "lyric_prompt",
    "duration",
)
# Controls only the newer models take (catalogue.MusicModel.advanced); lyric_prompt is a
# request to the lyric writer, which every model has.
MODEL_GATED = ("vocal_gender", *SLIDERS, "variety", "max_mode")
NAMES = ("vocal_gender", *SLIDERS, "variety", "max_mode", "lyric_prompt", "duration")

LABELS = {
    "vocal_gender": _("Vocal gender"),
    "weirdness": _("Weirdness"),
    "style_influence": _("Style influence"),
    "audio_weight": _("Audio influence"),
    "variety": _("Variety"),
    "max_mode": _("Max mode"),
    "lyric_prompt": _("Lyrics idea for the provider"),
    "duration": _("Length (seconds)"),
}


def is_set(name, value):
    """Whether a control carries a value to send: 0 is a value, None and "" are not."""
    if name == "max_mode":
        return bool(value)
    return value is not None and value != ""


def chosen(params):
    """The controls set in task parameters, by name."""
    return {n: params[n] for n in NAMES if is_set(n, params.get(n))}
