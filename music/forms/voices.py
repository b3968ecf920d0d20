"""Forms for voices (issue #15): a persona v2 from a vocal range of a song, and a private
voice from a recording (a team song or a file). Ranges and lengths are AceData's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from music.forms.base import RequestKeyForm
from music.forms.making import PersonaSongForm
from music.services import uploads, voices


class PersonaV2Form(PersonaSongForm):
    """The vocal range, the persona's name, and the first song it sings."""

    name = forms.CharField(label=_("Persona name"), max_length=100)
    vocal_start = forms.FloatField(label=_("Vocals from (seconds)"), min_value=0)
    vocal_end = forms.FloatField(
        label=_("Vocals to (seconds)"),
        min_value=0,
        help_text=_("Choose a stretch where the voice sings clearly, at least 5 seconds."),
    )
    field_order = ["name", "vocal_start", "vocal_end"]

    def __init__(self, *args, song=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.song = song
        if song is not None and not self.is_bound:
            self.fields["name"].initial = song.title
            self.fields["vocal_end"].initial = round(min(song.duration or 30, 30), 1)
            self.fields["vocal_start"].initial = 0

    def clean(self):
        data = super().clean()
        start, end = data.get("vocal_start"), data.get("vocal_end")
        if start is None or end is None:
            return data
        duration = self.song.duration if self.song is not None else None
        if end <= start:
            self.add_error("vocal_end", _("The end comes after the start."))
        elif duration and end > duration + 1e-6:
            self.add_error(
                "vocal_end",
                _("The song is %(end)s s long; end the range inside it.")
                % {"end": round(duration, 1)},
            )
        elif end - start < voices.VOX_MIN_SECONDS:
            self.add_error("vocal_end", _("Pick at least 5 seconds of singing."))
        return data


class VoiceForm(RequestKeyForm):
    """A recording of one voice: a song of the team's, or a file."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("clear alto, recorded dry")}),
    )
    song = forms.ChoiceField(label=_("A song of the team"), required=False)
    audio_file = forms.FileField(
        label=_("Or a recording"),
        required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        help_text=_("10 seconds to 4 minutes of one voice, clean: no band, echo or others."),
    )

    def __init__(self, *args, songs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.songs = {str(s.pk): s for s in songs}
        self.fields["song"].choices = [("", "—")] + [
            (pk, f"{s} ({round(s.duration or 0)} s)") for pk, s in self.songs.items()
        ]
        self.audio_duration = None

    def clean_audio_file(self):
        uploaded = self.cleaned_data.get("audio_file")
        if uploaded:
            try:
                _type, self.audio_duration = uploads.inspect(uploaded)
            except uploads.UploadRefused as exc:
                raise forms.ValidationError(exc.message) from exc
            refusal = voices.voice_refusal(self.audio_duration)
            if refusal:
                raise forms.ValidationError(refusal)
        return uploaded

    def clean(self):
        data = super().clean()
        song = self.songs.get(data.get("song") or "")
        data["song"] = song
        has_file = bool(data.get("audio_file")) or "audio_file" in self.errors
        if song is None and not has_file:
            self.add_error("song", _("Pick a song, or choose a recording."))
        elif song is not None and data.get("audio_file"):
            self.add_error("song", _("Pick a song or a recording, not both."))
        elif song is not None:
            refusal = voices.voice_refusal(song.duration or 0)
            if refusal:
                self.add_error("song", refusal)
        return data

    @property
    def request_key(self):
        return self.cleaned_data.get("request_key", "")
