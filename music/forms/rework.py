"""Forms that rework a song's own audio: remaster, change speed, take a sample (issue #15).

The ranges are AceData's documented ones, so a request the provider would refuse is never
paid for; the messages say what to change.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from music import catalogue
from music.forms.base import RequestKeyForm, normalise_text

# Remaster takes v4.5+ and newer models; its variation setting v5 and newer (AceData's docs).
REMASTER_FROM = "chirp-v4-5-plus"
VARIATION_FROM = "chirp-v5"
REMASTER_DEFAULT = "chirp-v5"
SPEED_MIN, SPEED_MAX = 0.25, 4.0


def models_from(first):
    """The catalogue's models from `first` on (the catalogue lists them oldest first)."""
    keys = [m.key for m in catalogue.MODELS]
    return catalogue.MODELS[keys.index(first) :]


def is_at_least(key, first):
    return key in {m.key for m in models_from(first)}


class ReworkForm(RequestKeyForm):
    """A form about one song; takes (and ignores) what the song page's other forms take."""

    def __init__(self, *args, team=None, song=None, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.song = song
        self.account = account

    @property
    def request_key(self):
        return self.cleaned_data.get("request_key", "")


class RemasterForm(ReworkForm):
    VARIATIONS = [
        ("", _("The provider's default")),
        ("subtle", _("Subtle")),
        ("normal", _("Normal")),
        ("high", _("High")),
    ]

    model = forms.ChoiceField(
        label=_("Model"),
        help_text=_("Remastering needs v4.5+ or newer."),
    )
    variation_category = forms.ChoiceField(
        label=_("How much may change"),
        choices=VARIATIONS,
        required=False,
        help_text=_("Subtle keeps closest to the original, high changes the most. v5 and newer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        models = models_from(REMASTER_FROM)
        self.fields["model"].choices = [(m.key, catalogue.describe(m)) for m in models]
        own = self.song.model_name if self.song is not None else ""
        self.fields["model"].initial = own if is_at_least(own, REMASTER_FROM) else REMASTER_DEFAULT

    def clean(self):
        data = super().clean()
        model = data.get("model")
        if data.get("variation_category") and model and not is_at_least(model, VARIATION_FROM):
            self.add_error(
                "variation_category",
                _(
                    "%(model)s takes no variation setting: pick v5 or newer, or leave it at the "
                    "provider's default."
                )
                % {"model": catalogue.get_model(model).label},
            )
        return data

    def to_params(self):
        d = self.cleaned_data
        params = {"model": d["model"], "is_pro": catalogue.get_model(d["model"]).needs_pro}
        if d.get("variation_category"):
            params["variation_category"] = d["variation_category"]
        return params


class AdjustSpeedForm(ReworkForm):
    RANGE = _("The speed can be 0.25 to 4 times the original.")

    speed_multiplier = forms.FloatField(
        label=_("Speed (times the original)"),
        initial=1.25,
        min_value=SPEED_MIN,
        max_value=SPEED_MAX,
        help_text=_("2 plays twice as fast, 0.5 half as fast; from 0.25 to 4."),
        error_messages={
            "required": _("Say how much faster or slower."),
            "min_value": RANGE,
            "max_value": RANGE,
            "invalid": _("Give the speed as a number, such as 1.25."),
        },
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    keep_pitch = forms.BooleanField(
        label=_("Keep the pitch"),
        required=False,
        initial=True,
        help_text=_("Unticked, the pitch follows the speed, like a record played too fast."),
    )
    title = forms.CharField(label=_("Title"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = catalogue.get_model(self.song.model_name if self.song is not None else "")
        self.title_max = model.title_max
        self.fields["title"].help_text = _("Leave empty to name it after the song and its speed.")
        self.fields["title"].widget.attrs["maxlength"] = self.title_max

    def clean(self):
        data = super().clean()
        factor = data.get("speed_multiplier")
        if factor is not None and abs(factor - 1) < 1e-9:
            self.add_error(
                "speed_multiplier", _("1 is the song's own speed: pick a faster or slower one.")
            )
        data["title"] = normalise_text(data.get("title"))
        if len(data["title"]) > self.title_max:
            self.add_error(
                "title",
                _("The title is %(n)s characters; the limit is %(max)s.")
                % {"n": len(data["title"]), "max": self.title_max},
            )
        return data

    def to_params(self):
        d = self.cleaned_data
        params = {"speed_multiplier": d["speed_multiplier"], "keep_pitch": d["keep_pitch"]}
        if d["title"]:
            params["title"] = d["title"]
        return params


class SampleForm(ReworkForm):
    samples_start = forms.FloatField(
        label=_("From (seconds)"),
        min_value=0,
        error_messages={
            "required": _("Say where the sample starts."),
            "min_value": _("Start at 0 seconds or later."),
            "invalid": _("Give the time in seconds, such as 12.5."),
        },
    )
    samples_end = forms.FloatField(
        label=_("To (seconds)"),
        error_messages={
            "required": _("Say where the sample ends."),
            "invalid": _("Give the time in seconds, such as 12.5."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        duration = (self.song.duration if self.song is not None else None) or 0
        if duration:
            self.fields["samples_end"].help_text = _("The song is %(end)s s long.") % {
                "end": round(duration, 1)
            }
        if not self.is_bound:
            self.initial.setdefault("samples_start", 0)
            self.initial.setdefault("samples_end", round(min(duration, 10.0), 2) or None)

    def clean(self):
        data = super().clean()
        start, end = data.get("samples_start"), data.get("samples_end")
        duration = self.song.duration if self.song is not None else None
        if start is not None and end is not None:
            if end <= start:
                self.add_error("samples_end", _("The end must come after the start."))
            elif duration and end > duration + 1e-6:
                self.add_error(
                    "samples_end",
                    _("The song is only %(end)s s long; end the sample inside it.")
                    % {"end": round(duration, 1)},
                )
        return data

    def to_params(self):
        d = self.cleaned_data
        return {"samples_start": d["samples_start"], "samples_end": d["samples_end"]}
