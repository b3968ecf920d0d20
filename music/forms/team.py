"""Forms of the team: provider accounts, settings, members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from music import crypto
from music.lists import split_list
from music.models import ProviderAccount, ProviderFormat, Role, Team

# (aliased: `capabilities` is also the account form's field)
from music.services import capabilities as caps

UNREADABLE_KEY = _(
    "The stored API key cannot be read with the current encryption keys; enter it again."
)


def capability_choices():
    """What an account can offer; those a relay has no way to ask for say so, since the
    format is picked in the same form."""
    no_way = caps.NO_WAY[ProviderFormat.RELAY]
    return [
        (name, _("%(label)s (not in the relay format)") % {"label": label})
        if name in no_way
        else (name, label)
        for name, label in caps.CHOICES
    ]


class ProviderAccountForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    capabilities = forms.MultipleChoiceField(
        label=_("What it offers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sellers offer different parts of the API; song pages offer only what is ticked. "
            "“Test connection” updates this when the provider's answer says."
        ),
    )
    # Present when the boxes were on the page: a post without it (a script, an old page)
    # leaves what the account offers alone instead of unticking everything.
    capabilities_shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)

    class Meta:
        model = ProviderAccount
        fields = [
            "name",
            "format",
            "base_url",
            "api_key",
            "pro_pool",
            "capabilities",
            "default_model",
            "use_callbacks",
            "media_hosts",
            "fetch_batch_limit",
            "is_default",
        ]

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team is not None:
            self.instance.team = team
        self.key_unreadable = crypto.key_unreadable(self.instance)
        if self.key_unreadable:
            self.fields["api_key"].help_text = UNREADABLE_KEY
        elif self.instance.api_key_last4:
            self.fields["api_key"].help_text = _(
                "Stored encrypted (ends in %(last4)s). Leave empty to keep it."
            ) % {"last4": self.instance.api_key_last4}
        else:
            self.fields["api_key"].help_text = _("Stored encrypted; never shown again.")
        self.fields["capabilities"].choices = capability_choices()
        self.initial["capabilities"] = sorted(caps.offered(self.instance))
        # A team's first account is offered as its default, visibly ticked; an unticked box
        # means not the default (new songs then go to the built-in provider).
        first = team is not None and not ProviderAccount.objects.filter(team=team).exists()
        if self.instance._state.adding and first:
            self.initial["is_default"] = True

    def clean(self):
        data = super().clean()
        self.clean_capabilities_choice(data)
        fmt = data.get("format")
        if fmt and fmt != "simulator":
            url = data.get("base_url") or ""
            if not url:
                self.add_error("base_url", _("Give the provider's base URL."))
            elif not url.lower().startswith(("http://", "https://")):
                self.add_error("base_url", _("The base URL must start with http:// or https://."))
            if not data.get("api_key") and not self.instance.api_key_encrypted:
                self.add_error("api_key", _("Paste the API key the provider gave you."))
            elif not data.get("api_key") and self.key_unreadable:
                self.add_error("api_key", UNREADABLE_KEY)
        hosts = split_list(data.get("media_hosts"))
        bad = [h for h in hosts if "/" in h or " " in h or ":" in h]
        if bad:
            self.add_error("media_hosts", _("Give host names only, like cdn.example.com."))
        data["media_hosts"] = ", ".join(hosts)
        return data

    def clean_capabilities_choice(self, data):
        """What the account offers: as ticked; the new format's defaults when the format
        changed and the boxes were left as they were; unchanged when they were not shown."""
        if not data.get("capabilities_shown"):
            data["capabilities"] = self.instance.capabilities
            return
        ticked = set(data.get("capabilities") or [])
        fmt = data.get("format") or self.instance.format
        if "format" in self.changed_data and "capabilities" not in self.changed_data:
            ticked = caps.defaults(fmt)
        # The format's defaults are stored as "defaults", so they follow the studio's.
        data["capabilities"] = None if ticked == caps.defaults(fmt) else sorted(ticked)

    def _get_validation_exclusions(self):
        # A new default replaces the old one (services.accounts.save), so "one default per
        # team" is kept by saving, not refused by validation.
        exclude = super()._get_validation_exclusions()
        exclude.add("is_default")
        return exclude

    def save(self, commit=True):
        """A new key replaces the stored one (encrypted); an empty one keeps it."""
        if self.cleaned_data.get("api_key"):
            self.instance.set_api_key(self.cleaned_data["api_key"])
        return super().save(commit=commit)


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "default_model", "pro_pool", "auto_concat"]


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no user called “%(name)s”. An administrator creates accounts.")
                % {"name": username}
            )
        self.user = user
        return username
