"""The create form's advanced controls (music.controls): fields, and the reasons to refuse.

Number inputs rather than range sliders: a slider always posts a value, and an untouched
control must not be sent. Without JS every control is posted; one the chosen model or
account cannot take is refused with the reason, since a musician who set it expects it to
count (custom-only controls in inspiration mode are ignored, like the lyrics are).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from music import catalogue, controls
from music.services.capabilities import sends_controls as account_takes_controls


def _slider(label, help_text):
    return forms.FloatField(
        label=label,
        required=False,
        min_value=controls.SLIDER_MIN,
        max_value=controls.SLIDER_MAX,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        error_messages={
            "min_value": _("Give a number from 0 to 1."),
            "max_value": _("Give a number from 0 to 1."),
            "invalid": _("Give a number from 0 to 1."),
        },
    )


class AdvancedControlsForm(forms.Form):
    vocal_gender = forms.ChoiceField(
        label=controls.LABELS["vocal_gender"],
        required=False,
        choices=[
            ("", _("No preference")),
            ("f", pgettext_lazy("voice", "Female")),
            ("m", pgettext_lazy("voice", "Male")),
        ],
        help_text=_("A preference for a female or male singer, not a promise."),
    )
    weirdness = _slider(
        controls.LABELS["weirdness"],
        _("0 to 1: higher is more experimental and surprising."),
    )
    style_influence = _slider(
        controls.LABELS["style_influence"],
        _("0 to 1: higher follows your style words more closely."),
    )
    audio_weight = _slider(
        controls.LABELS["audio_weight"],
        _("0 to 1: how much reference audio counts; 0 is a value too."),
    )
    variety = forms.ChoiceField(
        label=controls.LABELS["variety"],
        required=False,
        choices=[
            ("", _("Provider's default")),
            ("off", pgettext_lazy("variety", "Off")),
            ("normal", pgettext_lazy("variety", "Normal")),
            ("high", pgettext_lazy("variety", "High")),
            ("extra", pgettext_lazy("variety", "Extra")),
            ("max", pgettext_lazy("variety", "Max")),
        ],
        help_text=_("How different the two versions are from each other."),
    )
    max_mode = forms.BooleanField(
        label=controls.LABELS["max_mode"],
        required=False,
        help_text=_("Custom mode only: steadier results, charged at twice the price."),
    )
    lyric_prompt = forms.CharField(
        label=controls.LABELS["lyric_prompt"],
        required=False,
        max_length=500,
        help_text=_("Custom mode without lyrics: the provider writes them from this idea."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a road trip with old friends")}),
    )

    duration = forms.IntegerField(
        label=controls.LABELS["duration"],
        required=False,
        min_value=controls.DURATION_MIN,
        max_value=controls.DURATION_MAX,
        help_text=_(
            "Custom mode only: about how long the song should be, 10 to 360 seconds. A hint the "
            "model follows loosely; songs often come out a little shorter."
        ),
        widget=forms.NumberInput(attrs={"step": "1", "min": "10", "max": "360"}),
        error_messages={
            "min_value": _("Give a whole number of seconds from 10 to 360."),
            "max_value": _("Give a whole number of seconds from 10 to 360."),
            "invalid": _("Give a whole number of seconds from 10 to 360."),
        },
    )

    @property
    def controls_open(self):
        """Unfold the controls when one is set (a refusal to read, a retry to check)."""
        return any(controls.is_set(n, self[n].value()) for n in controls.NAMES)

    @property
    def advanced_models(self):
        """The models that take the gated controls, for the page's script (space separated)."""
        return " ".join(catalogue.ADVANCED_MODELS)

    @property
    def advanced_labels(self):
        return ", ".join(m.label for m in catalogue.MODELS if m.advanced)

    def controls_from(self, data, *, custom, model, account):
        """The controls to send, after refusing those this model or account cannot take."""
        chosen = {n: data.get(n) for n in controls.NAMES if controls.is_set(n, data.get(n))}
        if not custom:
            for name in controls.CUSTOM_ONLY:
                chosen.pop(name, None)
        if chosen and not account_takes_controls(account):
            for name in chosen:
                self.add_error(
                    name,
                    _(
                        "This provider account uses the relay format, which cannot send "
                        "“%(what)s”. Clear it, or pick a SunoHub account."
                    )
                    % {"what": controls.LABELS[name]},
                )
            return {}
        if not model.advanced:
            newer = ", ".join(m.label for m in catalogue.MODELS if m.advanced)
            for name in chosen:
                if name in controls.MODEL_GATED:
                    self.add_error(
                        name,
                        _(
                            "%(model)s does not take “%(what)s”. Clear it, or pick one of "
                            "%(models)s."
                        )
                        % {"model": model.label, "what": controls.LABELS[name], "models": newer},
                    )
        if chosen.get("duration") and chosen["duration"] > model.max_seconds:
            self.add_error(
                "duration",
                _(
                    "%(model)s makes songs of at most %(max)s seconds; ask for less, or pick "
                    "a newer model."
                )
                % {"model": model.label, "max": model.max_seconds},
            )
        if chosen.get("lyric_prompt") and data.get("lyric"):
            chosen.pop("lyric_prompt")  # the provider reads it only when there are no lyrics
        return chosen
