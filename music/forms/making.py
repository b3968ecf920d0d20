"""Forms that make or grow songs (create, extend, cover, upload, personas, sections) and the
writing helpers."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from music import catalogue
from music.forms.base import (
    PRO_HELP,
    RequestKeyForm,
    SongWordsForm,
    normalise_text,
    require_words,
)
from music.forms.controls import AdvancedControlsForm, account_takes_controls

# (aliased: `capabilities` is also the account form's field)
from music.services import uploads


class CreateSongForm(SongWordsForm, AdvancedControlsForm):
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
            # A lyrics idea for the provider stands in for the lyrics.
            require_words(self, {**data, "lyric": data.get("lyric") or data.get("lyric_prompt")})
        self.controls = self.controls_from(
            data,
            custom=data.get("mode") == "custom",
            model=catalogue.get_model(data.get("model")),
            account=self.account,
        )
        return data

    @property
    def offers_controls(self):
        """Whether any account this form can send to takes the advanced controls."""
        accounts = list(self.accounts.values()) or [self.account]
        if "account" in self.fields and not self.fields["account"].required:
            accounts.append(None)  # the built-in provider is a choice too
        return any(account_takes_controls(a) for a in accounts)

    def to_params(self):
        d = self.cleaned_data
        if d["mode"] == "custom":
            return {"action": "generate", "custom": True, **self.words(), **self.controls}
        return {
            "action": "generate",
            "custom": False,
            "prompt": d["prompt"],
            **{k: v for k, v in self.words().items() if k in ("model", "instrumental", "is_pro")},
            **self.controls,
        }


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
    result_mode = forms.ChoiceField(
        label=_("What you get"),
        choices=[
            ("candidates", _("Only the new section (then join it into the whole song)")),
            ("full_song", _("The whole song, with the section replaced")),
        ],
        initial="candidates",
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Either way you get two versions to choose from."),
    )
    auto_concat = forms.BooleanField(
        label=_("Join it into the whole song when it is ready"),
        required=False,
        help_text=_("For “Only the new section”: the whole song needs no joining."),
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
        if not self.returns_whole_songs:
            del self.fields["result_mode"]  # relays answer the new section only
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
    def returns_whole_songs(self):
        """SunoHub (AceData) can answer the whole song (`replace_section_result_mode`)."""
        return account_takes_controls(self.song.account)

    @property
    def chosen_result_mode(self):
        return self.cleaned_data.get("result_mode") or "candidates"

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
    # AceData's `/suno/lyrics` models (its docs: `default`, `remi-v1`); "" sends none.
    lyrics_model = forms.ChoiceField(
        label=_("Lyrics model"),
        required=False,
        choices=[
            ("", _("The provider's default")),
            ("default", _("Default")),
            ("remi-v1", _("Remi v1 (another writing style)")),
        ],
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
