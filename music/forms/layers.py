"""Forms that add a layer to a song in a window: Add instrumental (`underpainting`) and Add
vocals (`overpainting`), issue #15.

The constraints are the documented ones (AceData's guide and the relay resellers' pages):
the window starts at 0 or later and ends after its start, inside the song; the models are
v4.5 and newer; Add vocals sings lyrics the musician writes. A window is at least
`MIN_WINDOW` seconds, so it still holds a second when a relay takes whole seconds only.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from music import catalogue
from music.forms.base import normalise_text
from music.forms.rework import ReworkForm, is_at_least, models_from

LAYER_FROM = "chirp-v4-5"  # AceData's examples; the features came with v4.5
LAYER_DEFAULT = "chirp-v5"
MIN_WINDOW = 2.0
TIME_INVALID = _("Give the time in seconds, such as 12.5.")


class LayerForm(ReworkForm):
    """The window, model and style both layer forms ask for; `field` names the window."""

    field = ""

    model = forms.ChoiceField(label=_("Model"), help_text=_("v4.5 and newer can add a layer."))
    start = forms.FloatField(
        label=_("From (seconds)"),
        min_value=0,
        error_messages={
            "required": _("Say where the new part starts (0 for the beginning)."),
            "min_value": _("Start at 0 seconds or later."),
            "invalid": TIME_INVALID,
        },
    )
    end = forms.FloatField(
        label=_("To (seconds)"),
        error_messages={"required": _("Say where the new part ends."), "invalid": TIME_INVALID},
    )
    style = forms.CharField(label=_("Style"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.song.model_name if self.song is not None else ""
        self.fields["model"].choices = [
            (m.key, catalogue.describe(m)) for m in models_from(LAYER_FROM)
        ]
        self.fields["model"].initial = own if is_at_least(own, LAYER_FROM) else LAYER_DEFAULT
        self.duration = (self.song.duration if self.song is not None else None) or 0
        if self.duration:
            self.fields["end"].help_text = _("The song is %(end)s s long.") % {
                "end": round(self.duration, 1)
            }
        if not self.is_bound:
            self.initial.setdefault("start", 0)
            self.initial.setdefault("end", round(self.duration, 2) or None)
            self.initial.setdefault("style", self.song.style if self.song is not None else "")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            if end <= start:
                self.add_error("end", _("The end must come after the start."))
            elif self.duration and end > self.duration + 1e-6:
                self.add_error(
                    "end",
                    _("The song is only %(end)s s long; end the new part inside it.")
                    % {"end": round(self.duration, 1)},
                )
            elif end - start < MIN_WINDOW:
                self.add_error(
                    "end",
                    _("Leave at least %(n)s seconds between the start and the end.")
                    % {"n": f"{MIN_WINDOW:g}"},
                )
        model = catalogue.get_model(data.get("model") or LAYER_DEFAULT)
        for name, limit in (("style", model.style_max), ("lyric", model.lyric_max)):
            if name not in self.fields:
                continue
            data[name] = normalise_text(data.get(name))
            if len(data[name]) > limit:
                self.add_error(
                    name,
                    _("This is %(n)s characters; %(model)s takes at most %(max)s.")
                    % {"n": len(data[name]), "model": model.label, "max": limit},
                )
        return data

    def to_params(self):
        d = self.cleaned_data
        model = catalogue.get_model(d["model"])
        params = {
            "model": model.key,
            "is_pro": model.needs_pro,
            f"{self.field}_start": round(d["start"], 3),
            f"{self.field}_end": round(d["end"], 3),
            "title": self.song.title if self.song is not None else "",
        }
        if d.get("style"):
            params["style"] = d["style"]
        return params


class AddInstrumentalForm(LayerForm):
    field = "underpainting"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].help_text = _(
            "The instrumental's style: instruments and mood, no lyrics (e.g. warm piano, "
            "soft drums)."
        )


class AddVocalsForm(LayerForm):
    field = "overpainting"

    lyric = forms.CharField(
        label=_("Lyrics"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The words to sing in the chosen seconds; [Verse] and [Chorus] tags help."),
        error_messages={"required": _("Write the lyrics to sing.")},
    )

    field_order = ["model", "start", "end", "lyric", "style"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].help_text = _("The singing's style (e.g. soul, female vocals).")

    def clean(self):
        data = super().clean()
        if "lyric" in data and not data["lyric"].strip() and "lyric" not in self.errors:
            self.add_error("lyric", _("Write the lyrics to sing."))
        return data

    def to_params(self):
        return {**super().to_params(), "lyric": self.cleaned_data["lyric"], "custom": True}
