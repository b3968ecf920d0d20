"""Forms that mirror the upstream's constraints, so bad input never costs a request."""

import json
import uuid

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from music import catalogue, crypto
from music.lists import split_list
from music.models import ProviderAccount, Role, SongState, Team

# (aliased: `capabilities` is also the account form's field)
from music.services import capabilities as caps
from music.services import uploads

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


class CreateSongForm(SongWordsForm):
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
                "data-counter": "prompt",
                "data-limit": catalogue.DESCRIPTION_MAX,
            }
        ),
        help_text=format_lazy(
            _("Up to {max} characters. The studio writes lyrics, style and title."),
            max=catalogue.DESCRIPTION_MAX,
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == "inspiration":
            # The description is all inspiration mode sends; the rest is ignored.
            for name in ("lyric", "style", "style_negative", "title"):
                self.errors.pop(name, None)
            prompt = normalise_text(data.get("prompt"))
            data["prompt"] = prompt
            if not prompt:
                self.add_error("prompt", _("Describe the song you want."))
            elif len(prompt) > catalogue.DESCRIPTION_MAX:
                self.add_error(
                    "prompt",
                    _("The description is %(n)s characters; the limit is %(max)s.")
                    % {"n": len(prompt), "max": catalogue.DESCRIPTION_MAX},
                )
        elif data.get("mode") == "custom":
            require_words(self, data)
        return data

    def to_params(self):
        d = self.cleaned_data
        if d["mode"] == "custom":
            return {"action": "generate", "custom": True, **self.words()}
        return {
            "action": "generate",
            "custom": False,
            "prompt": d["prompt"],
            **{k: v for k, v in self.words().items() if k in ("model", "instrumental", "is_pro")},
        }


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


MAX_UPLOAD_SECONDS = 480


def excluded_styles(song):
    """The styles the song was asked to avoid (kept in the task that made it)."""
    task = song.task if song.task_id else None
    return (task.params.get("style_negative") or "") if task is not None else ""


class ExtendForm(SongWordsForm):
    continue_at = forms.FloatField(
        label=_("Continue from (seconds)"),
        help_text=_("Where the new part starts. The end of the song is the usual choice."),
        error_messages={"required": _("Say from which second to continue.")},
    )

    def __init__(self, *args, song=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.song = song
        if song is not None and not self.is_bound:
            self.initial.update(
                continue_at=round(song.duration or 0, 2),
                style=song.style,
                style_negative=excluded_styles(song) or None,
                title=song.title,
                model=song.model_name if song.model_name in catalogue.MODELS_BY_KEY else None,
            )
            if "is_pro" in self.fields:
                self.initial["is_pro"] = song.is_pro or self.fields["is_pro"].initial
            self.initial = {k: v for k, v in self.initial.items() if v is not None}

    def clean(self):
        data = super().clean()
        at = data.get("continue_at")
        if at is not None:
            end = self.song.duration if self.song else None
            if at <= 0:
                self.add_error("continue_at", _("Continue from a second after the start (> 0)."))
            elif end and at > end:
                self.add_error(
                    "continue_at",
                    _("The song is only %(end)s s long; continue from inside it.")
                    % {"end": round(end, 1)},
                )
        require_words(self, data)
        return data


class CoverForm(SongWordsForm):
    pro_only = True
    pro_only_message = _("Covers are only made in the Pro pool.")

    def __init__(self, *args, song=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].required = True
        self.fields["style"].error_messages["required"] = _("Say in which style to cover it.")
        self.fields["lyric"].help_text = _("Leave empty to keep the original lyrics.")
        if song is not None and not self.is_bound:
            self.initial.update(title=song.title, lyric=song.lyric)
            if song.model_name in catalogue.MODELS_BY_KEY:
                self.initial["model"] = song.model_name  # the song's own, not the default


class UploadForm(SongWordsForm):
    MODE_CHOICES = [
        ("upload", _("Just upload it")),
        ("continue", _("Upload and continue it from a second")),
    ]
    audio_file = forms.FileField(
        label=_("Audio file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
    )
    audio_url = forms.URLField(
        label=_("Or a link to it"),
        required=False,
        assume_scheme="https",
        help_text=_("A public http(s) link to an MP3 the provider can download."),
    )
    mode = forms.ChoiceField(
        label=_("Then"), choices=MODE_CHOICES, initial="upload", widget=forms.RadioSelect
    )
    # Uploads the providers take last at most 8 minutes: a second past that is a typo.
    continue_at = forms.FloatField(
        label=_("Continue from (seconds)"),
        required=False,
        max_value=MAX_UPLOAD_SECONDS,
        error_messages={
            "max_value": _("Continue from a second inside the first %(max)s s of your audio.")
            % {"max": MAX_UPLOAD_SECONDS}
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = uploads.limits()
        self.fields["audio_file"].help_text = _(
            "%(formats)s; up to %(mb)s MB and %(length)s long."
        ) % {
            "formats": self.limits.formats,
            "mb": self.limits.max_mb,
            "length": self.limits.max_length,
        }
        self.audio_duration = None  # of a chosen file, read from its headers

    def clean_audio_file(self):
        uploaded = self.cleaned_data.get("audio_file")
        if uploaded:
            try:
                _type, self.audio_duration = uploads.inspect(uploaded)
            except uploads.UploadRefused as exc:
                raise forms.ValidationError(exc.message) from exc
        return uploaded

    def clean(self):
        data = super().clean()
        url = data.get("audio_url") or ""
        has_file = bool(data.get("audio_file")) or "audio_file" in self.errors
        if url and not url.lower().startswith(("http://", "https://")):
            self.add_error("audio_url", _("Only http(s) links can be uploaded."))
        if not has_file and not url and "audio_url" not in self.errors:
            self.add_error("audio_file", _("Choose an audio file, or paste a link to one."))
        elif data.get("audio_file") and url:
            self.add_error("audio_url", _("Upload the file or the link, not both: clear one."))
        if data.get("mode") == "continue":
            at = data.get("continue_at")
            if at is None or at <= 0:
                self.add_error("continue_at", _("Say from which second to continue (more than 0)."))
            elif self.audio_duration and at > self.audio_duration:
                self.add_error(
                    "continue_at",
                    _("Your audio is only %(end)s s long; continue from inside it.")
                    % {"end": round(self.audio_duration, 1)},
                )
            require_words(self, data)
        else:
            for name in ("lyric", "style", "style_negative", "title", "model"):
                self.errors.pop(name, None)
        return data


class PersonaForm(RequestKeyForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("warm male tenor, a little husky")}
        ),
    )

    @property
    def request_key(self):
        return self.cleaned_data.get("request_key", "")


class PersonaSongForm(SongWordsForm):
    prompt = forms.CharField(
        label=_("Describe the song"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-counter": "prompt", "data-limit": catalogue.DESCRIPTION_MAX}
        ),
        help_text=_("Or write the lyrics in the Lyrics field instead."),
    )
    pro_only = True
    pro_only_message = _("Songs sung by a persona are only made in the Pro pool.")

    def clean(self):
        data = super().clean()
        prompt = data["prompt"] = normalise_text(data.get("prompt"))
        if not prompt and not data.get("lyric"):
            self.add_error("prompt", _("Describe the song, or write its lyrics."))
        elif len(prompt) > catalogue.DESCRIPTION_MAX:
            self.add_error(
                "prompt",
                _("The description is %(n)s characters; the limit is %(max)s.")
                % {"n": len(prompt), "max": catalogue.DESCRIPTION_MAX},
            )
        return data

    def words(self):
        words = super().words()
        words["custom"] = bool(words.get("lyric"))
        if self.cleaned_data["prompt"]:
            words["prompt"] = self.cleaned_data["prompt"]
        return words


class ReplaceSectionForm(RequestKeyForm):
    """Lines chosen on the timed lyric view, rewritten; the server rebuilds the request."""

    first = forms.IntegerField(label=_("First line"), min_value=0)
    last = forms.IntegerField(label=_("Last line"), min_value=0)
    start = forms.FloatField(label=_("Start (s)"), required=False)
    end = forms.FloatField(label=_("End (s)"), required=False)
    new_lines = forms.CharField(
        label=_("New lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("They replace the selected lines, sung in the same window of the song."),
    )
    model = forms.ChoiceField(label=_("Model"))
    is_pro = forms.BooleanField(label=_("Use the Pro pool"), required=False, help_text=PRO_HELP)
    auto_concat = forms.BooleanField(
        label=_("Join it into the whole song when it is ready"), required=False
    )

    def __init__(self, *args, song, lines, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.song, self.lines = song, lines
        self.replacement = None
        self.fields["model"].choices = [(m.key, catalogue.describe(m)) for m in catalogue.MODELS]
        choices = [(line.index, f"{line.index + 1}. {line.text}") for line in lines]
        self.fields["first"].widget = forms.Select(choices=choices)
        self.fields["last"].widget = forms.Select(choices=choices)
        if not self.uses_pools:
            del self.fields["is_pro"]  # the song's relay has no pools to choose from
        if not self.is_bound:
            self.initial.update(
                model=song.model_name
                if song.model_name in catalogue.MODELS_BY_KEY
                else catalogue.DEFAULT_MODEL,
                is_pro=song.is_pro or bool(team and team.pro_pool),
                auto_concat=bool(team and team.auto_concat),
                first=0,
                last=0,
            )

    @property
    def uses_pools(self):
        """Work on a song goes to its own account: only SunoHub's have pools."""
        return self.song.account is None or self.song.account.has_pools

    def clean(self):
        from music.services.lyric_editor import build_replacement

        data = super().clean()
        if self.errors:
            return data
        self.replacement = build_replacement(
            self.lines,
            data["first"],
            data["last"],
            data.get("new_lines", ""),
            duration=self.song.duration,
            start=data.get("start"),
            end=data.get("end"),
        )
        for error in self.replacement.errors:
            self.add_error(None, error)
        model = catalogue.get_model(data.get("model"))
        if len(self.replacement.lyric) > model.lyric_max:
            self.add_error(
                None,
                _(
                    "The lyrics up to the new lines are %(n)s characters; "
                    "%(model)s allows at most %(max)s."
                )
                % {"n": len(self.replacement.lyric), "model": model.label, "max": model.lyric_max},
            )
        if not self.uses_pools:
            data["is_pro"] = True  # a relay has no pools: everything is available
        elif model.needs_pro and not data.get("is_pro"):
            self.add_error(
                "model", _("%(model)s is only available in the Pro pool.") % {"model": model.label}
            )
        return data

    @property
    def request_key(self):
        return self.cleaned_data.get("request_key", "")


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
    whole = forms.BooleanField(label=_("Whole songs only"), required=False)
    fav = forms.BooleanField(label=_("My favourites"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", _("Anyone"))] + [
            (m.user_id, m.user.get_username()) for m in members
        ]


class SongEditForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Give the song a title."),
            "max_length": _("Keep the title to at most 200 characters."),
        },
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For the team: what this take is for, what to change next."),
        error_messages={"max_length": _("Keep the notes to at most 5000 characters.")},
    )

    def clean_notes(self):
        return self.cleaned_data["notes"].replace("\r\n", "\n")


class PlaylistForm(forms.Form):
    name = forms.CharField(
        label=_("Playlist name"),
        max_length=100,
        error_messages={
            "required": _("Give the playlist a name."),
            "max_length": _("Keep the name to at most 100 characters."),
        },
    )


class ShareLinkForm(forms.Form):
    expires = forms.TypedChoiceField(
        label=_("The link works"),
        choices=[
            ("", _("until it is turned off")),
            ("1", _("for 1 day")),
            ("7", _("for 7 days")),
            ("30", _("for 30 days")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )


UNREADABLE_KEY = _(
    "The stored API key cannot be read with the current encryption keys; enter it again."
)


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
        self.fields["capabilities"].choices = caps.CHOICES
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


def account_choices(accounts):
    return [(str(a.pk), f"{a.name} ({a.get_format_display()})") for a in accounts]


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
