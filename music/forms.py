"""Forms that mirror the upstream's constraints, so bad input never costs a request."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from music import catalogue
from music.models import SongState


class CreateSongForm(forms.Form):
    MODE_CHOICES = [("inspiration", _("Describe it")), ("custom", _("Write it yourself"))]

    mode = forms.ChoiceField(
        label=_("Mode"), choices=MODE_CHOICES, initial="inspiration", widget=forms.RadioSelect
    )
    prompt = forms.CharField(
        label=_("Describe the song"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("a warm Chinese New Year pop song with a catchy chorus"),
            }
        ),
        help_text=format_lazy(
            _("Up to {max} characters. The studio writes lyrics, style and title."),
            max=catalogue.DESCRIPTION_MAX,
        ),
    )
    # Rendered by partials/lyrics_field.html, which the lyrics helper swaps in place.
    lyric = forms.CharField(label=_("Lyrics"), required=False, widget=forms.Textarea)
    style = forms.CharField(
        label=_("Style"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("pop, male vocals, piano")}),
    )
    style_negative = forms.CharField(
        label=_("Exclude styles"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("heavy metal, screaming")}),
    )
    title = forms.CharField(label=_("Title"), required=False)
    instrumental = forms.BooleanField(label=_("Instrumental (no vocals)"), required=False)
    model = forms.ChoiceField(
        label=_("Model"), choices=catalogue.MODEL_CHOICES, initial=catalogue.DEFAULT_MODEL
    )
    is_pro = forms.BooleanField(
        label=_("Use the Pro pool"),
        required=False,
        help_text=_(
            "Costs more. Needed for v4.5 and newer models, and later for stems, WAV, "
            "covers and personas."
        ),
    )

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team is not None:
            self.fields["model"].initial = team.default_model
            self.fields["is_pro"].initial = team.pro_pool
        self.fields["model"].help_text = " · ".join(
            str(catalogue.describe(m)) for m in catalogue.MODELS
        )

    def clean(self):
        data = super().clean()
        model = catalogue.get_model(data.get("model"))
        mode = data.get("mode")
        limits = {
            "style": model.style_max,
            "style_negative": model.style_max,
            "title": model.title_max,
            "lyric": model.lyric_max,
        }
        if mode == "inspiration":
            prompt = (data.get("prompt") or "").strip()
            if not prompt:
                self.add_error("prompt", _("Describe the song you want."))
            elif len(prompt) > catalogue.DESCRIPTION_MAX:
                self.add_error(
                    "prompt",
                    _("The description is %(n)s characters; the limit is %(max)s.")
                    % {"n": len(prompt), "max": catalogue.DESCRIPTION_MAX},
                )
            data["prompt"] = prompt
            limits = {}
        elif mode == "custom":
            lyric = (data.get("lyric") or "").strip()
            data["lyric"] = lyric
            if not lyric and not data.get("instrumental"):
                self.add_error(
                    "lyric", _("Write the lyrics, or tick Instrumental for a song without vocals.")
                )
            if not lyric and not (data.get("style") or "").strip():
                self.add_error(
                    "style",
                    _("Add a style: without lyrics, the style is all the model has to go on."),
                )
        for name, limit in limits.items():
            value = (data.get(name) or "").strip()
            data[name] = value
            if len(value) > limit:
                self.add_error(
                    name,
                    _("This is %(n)s characters; %(model)s allows at most %(max)s.")
                    % {"n": len(value), "model": model.label, "max": limit},
                )
        if model.needs_pro and not data.get("is_pro"):
            self.add_error(
                "model",
                _(
                    "%(model)s is only available in the Pro pool: tick “Use the Pro pool” or pick "
                    "v4 or older."
                )
                % {"model": model.label},
            )
        return data

    def to_params(self):
        d = self.cleaned_data
        custom = d["mode"] == "custom"
        params = {
            "action": "generate",
            "model": d["model"],
            "custom": custom,
            "instrumental": d["instrumental"],
            "is_pro": d["is_pro"],
        }
        if custom:
            params.update(
                lyric=d["lyric"],
                style=d["style"],
                title=d["title"],
                style_negative=d["style_negative"],
            )
        else:
            params["prompt"] = d["prompt"]
        return {k: v for k, v in params.items() if v not in ("", None)}


class LyricsIdeaForm(forms.Form):
    idea = forms.CharField(
        label=_("Idea for the lyrics"),
        max_length=200,
        error_messages={
            "required": _("Give an idea for the lyrics first."),
            "max_length": _("Keep the idea to at most 200 characters."),
        },
    )


class BoostStyleForm(forms.Form):
    style = forms.CharField(
        label=_("Style"),
        max_length=200,
        error_messages={
            "required": _("Type a few style words first."),
            "max_length": _("Keep it to at most 200 characters."),
        },
    )


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Title, lyrics or style")}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *SongState.choices]
    )
    author = forms.TypedChoiceField(label=_("Author"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", _("Anyone"))] + [
            (m.user_id, m.user.get_username()) for m in members
        ]
