"""The models users can pick, with the limits each one enforces upstream.

One place to extend when a provider ships a new model: the form's picker, the validation
limits and each wire format's model name all come from here.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MusicModel:
    key: str  # what the studio stores and SunoHub's wire name
    label: str
    lyric_max: int  # characters of lyrics (custom mode `lyric`)
    style_max: int  # characters of style tags
    title_max: int
    max_seconds: int  # the longest song the model makes in one go
    needs_pro: bool  # SunoHub serves the newest models only from its Pro pool
    wire_names: dict = field(default_factory=dict)  # format -> model name on that wire
    # Whether it takes the advanced controls (vocal gender, weirdness, style influence,
    # audio weight, variety, max mode): AceData documents vocal_gender "for 4.5 and above",
    # and suno.com shows the sliders from v4.5 on.
    advanced: bool = False

    def wire_name(self, fmt):
        return self.wire_names.get(fmt, self.key)


# Inspiration mode takes a short description, the same for every model.
DESCRIPTION_MAX = 500

MODELS = [
    MusicModel("chirp-v3-5", "v3.5", 3000, 200, 80, 120, False, {"relay": "chirp-v3-5"}),
    MusicModel("chirp-v4", "v4", 3000, 200, 80, 150, False, {"relay": "chirp-v4"}),
    MusicModel("chirp-v4-5", "v4.5", 5000, 1000, 100, 240, True, {"relay": "chirp-auk"}, True),
    MusicModel(
        "chirp-v4-5-plus", "v4.5+", 5000, 1000, 100, 480, True, {"relay": "chirp-bluejay"}, True
    ),
    MusicModel("chirp-v5", "v5", 5000, 1000, 100, 480, True, {"relay": "chirp-crow"}, True),
    MusicModel("chirp-v5-5", "v5.5", 5000, 1000, 100, 480, True, {"relay": "chirp-fenix"}, True),
    # AceData lists the v6 family without limits yet: v5.5's are assumed until it says, and
    # relays keep the public name (no codename is documented).
    MusicModel("chirp-v6", "v6", 5000, 1000, 100, 480, True, {}, True),
    MusicModel("chirp-v6-wild", "v6 Wild", 5000, 1000, 100, 480, True, {}, True),
    MusicModel("chirp-v6-mini", "v6 Mini", 5000, 1000, 100, 480, True, {}, True),
]
ADVANCED_MODELS = [m.key for m in MODELS if m.advanced]
MODELS_BY_KEY = {m.key: m for m in MODELS}
DEFAULT_MODEL = "chirp-v4"
MODEL_CHOICES = [(m.key, m.label) for m in MODELS]


def get_model(key):
    return MODELS_BY_KEY.get(key) or MODELS_BY_KEY[DEFAULT_MODEL]


def describe(model):
    """One line for the model picker."""
    values = {
        "label": model.label,
        "lyric": model.lyric_max,
        "style": model.style_max,
        "minutes": f"{model.max_seconds / 60:g}",
    }
    if model.needs_pro:
        return (
            _(
                "%(label)s (Pro pool): lyrics up to %(lyric)s characters, style up to %(style)s, "
                "songs up to %(minutes)s min"
            )
            % values
        )
    return (
        _(
            "%(label)s: lyrics up to %(lyric)s characters, style up to %(style)s, "
            "songs up to %(minutes)s min"
        )
        % values
    )
