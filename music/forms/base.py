"""What every form that sends words to a provider shares: limits per model, the request
key that makes a double submit pay once, and the words themselves."""

import json
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from music import catalogue

# (aliased: `capabilities` is also the account form's field)

PRO_HELP = _("Costs more. v4.5 and newer models need it; so do stems, WAV, covers and personas.")


def normalise_text(value):
    """Typed text as the page counted it: one character per line break (browsers send a
    textarea's breaks as CRLF, which `len` counts twice), without outer whitespace."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def model_limits():
    """Each model's limits, for the page's counters (static/js/studio.js)."""
    return json.dumps(
        {
            m.key: {
                "lyric": m.lyric_max,
                "style": m.style_max,
                "style_negative": m.style_max,
                "title": m.title_max,
            }
            for m in catalogue.MODELS
        }
    )


class RequestKeyForm(forms.Form):
    """A form that spends money carries a one-time key, so posting it twice pays once."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)


class SongWordsForm(RequestKeyForm):
    """Lyrics, style, title, model and pool: what every song-making action takes."""

    lyric = forms.CharField(
        label=_("Lyrics"), required=False, widget=forms.Textarea(attrs={"data-counter": "lyric"})
    )
    style = forms.CharField(
        label=_("Style"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("pop, male vocals, piano"), "data-counter": "style"}
        ),
    )
    style_negative = forms.CharField(
        label=_("Exclude styles"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("heavy metal, screaming"), "data-counter": "style_negative"}
        ),
    )
    title = forms.CharField(
        label=_("Title"), required=False, widget=forms.TextInput(attrs={"data-counter": "title"})
    )
    instrumental = forms.BooleanField(label=_("Instrumental (no vocals)"), required=False)
    model = forms.ChoiceField(label=_("Model"), initial=catalogue.DEFAULT_MODEL)
    is_pro = forms.BooleanField(label=_("Use the Pro pool"), required=False, help_text=PRO_HELP)

    # Actions that the upstream only runs in the Pro pool.
    pro_only = False
    pro_only_message = ""

    def __init__(self, *args, team=None, account=None, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [(m.key, catalogue.describe(m)) for m in catalogue.MODELS]
        self.fields["model"].widget.attrs["data-limits"] = model_limits()
        if team is not None:
            self.fields["model"].initial = team.default_model
            self.fields["is_pro"].initial = team.pro_pool
        # Work on a song goes to its own account; new songs may pick one of the team's.
        self.account = account
        self.accounts = {str(a.pk): a for a in accounts}
        default = next((a for a in self.accounts.values() if a.is_default), None)
        # Accounts none of which is the default: new songs go to the built-in provider
        # unless the form picks one of them.
        builtin = bool(self.accounts) and default is None
        if len(self.accounts) > 1 or builtin:
            choices = account_choices(self.accounts.values())
            if builtin:
                choices = [("", _("Built-in provider")), *choices]
            self.fields["account"] = forms.ChoiceField(
                label=_("Provider"),
                choices=choices,
                required=not builtin,
                initial=str(default.pk) if default else "",
            )
        elif self.accounts:
            self.account = default
        if self.account is not None and not self.is_bound:
            self.fields["model"].initial = self.account.default_model
            self.fields["is_pro"].initial = self.account.pro_pool
        if "account" not in self.fields and not self.uses_pools:
            del self.fields["is_pro"]  # a relay has no pools to choose from
        if self.pro_only and "is_pro" in self.fields:
            self.fields["is_pro"].initial = True
            self.fields["is_pro"].help_text = self.pro_only_message

    def clean_text(self, data, *names):
        for name in names:
            if name in data or name in self.fields:
                data[name] = normalise_text(data.get(name))

    @property
    def uses_pools(self):
        return self.account is None or self.account.has_pools

    def clean(self):
        data = super().clean()
        if "account" in self.fields:
            self.account = self.accounts.get(data.get("account"))
        self.clean_text(data, "lyric", "style", "style_negative", "title")
        model = catalogue.get_model(data.get("model"))
        limits = {
            "lyric": model.lyric_max,
            "style": model.style_max,
            "style_negative": model.style_max,
            "title": model.title_max,
        }
        for name, limit in limits.items():
            if name in self.fields and len(data.get(name, "")) > limit:
                self.add_error(
                    name,
                    _("This is %(n)s characters; %(model)s allows at most %(max)s.")
                    % {"n": len(data[name]), "model": model.label, "max": limit},
                )
        if not self.uses_pools:
            data["is_pro"] = True  # a relay has no pools: everything is available
        elif self.pro_only and not data.get("is_pro"):
            self.add_error("is_pro", self.pro_only_message)
        elif model.needs_pro and not data.get("is_pro"):
            self.add_error(
                "model",
                _(
                    "%(model)s is only available in the Pro pool: tick “Use the Pro pool” or pick "
                    "v4 or older."
                )
                % {"model": model.label},
            )
        return data

    def words(self):
        """The cleaned fields as task parameters, without empty values."""
        d = self.cleaned_data
        params = {
            "model": d["model"],
            "instrumental": d.get("instrumental", False),
            "is_pro": d.get("is_pro", False),
            "lyric": d.get("lyric", ""),
            "style": d.get("style", ""),
            "style_negative": d.get("style_negative", ""),
            "title": d.get("title", ""),
        }
        return {k: v for k, v in params.items() if v not in ("", None)}

    @property
    def request_key(self):
        return self.cleaned_data.get("request_key", "")


def require_words(form, data):
    """Custom mode needs lyrics, or a style for an instrumental. One error per problem:
    lyrics refused for their length are not missing."""
    if "lyric" in form.errors:
        return
    if not data.get("lyric") and not data.get("instrumental"):
        form.add_error(
            "lyric", _("Write the lyrics, or tick Instrumental for a song without vocals.")
        )
    if not data.get("lyric") and not data.get("style") and "style" not in form.errors:
        form.add_error(
            "style", _("Add a style: without lyrics, the style is all the model has to go on.")
        )


def account_choices(accounts):
    return [(str(a.pk), f"{a.name} ({a.get_format_display()})") for a in accounts]
