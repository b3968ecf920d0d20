"""Forms for one stem of a song: add an instrument over it, or take one out (issue #15).

The choices are the twelve parts providers name; AceData documents MP3 as the only format an
extraction comes in today, and the words an added part may take (prompt, style)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from music.forms.base import normalise_text
from music.forms.rework import ReworkForm
from music.services import stems

PROMPT_MAX = 500
STYLE_MAX = 1000


class StemTypeForm(ReworkForm):
    stem_type = forms.ChoiceField(
        label=_("Part"),
        choices=stems.STEM_TYPES,
        error_messages={
            "required": _("Pick one of the twelve parts."),
            "invalid_choice": _("Pick one of the twelve parts."),
        },
    )


class ExtractStemForm(StemTypeForm):
    audio_format = forms.ChoiceField(
        label=_("File format"),
        choices=[("mp3", "MP3")],
        initial="mp3",
        help_text=_("The provider makes extracted stems as MP3 only for now."),
    )


class AddStemForm(StemTypeForm):
    prompt = forms.CharField(
        label=_("How it should play (optional)"),
        required=False,
        max_length=PROMPT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: warm bass guitar following the kick."),
    )
    style = forms.CharField(
        label=_("Style (optional)"),
        required=False,
        max_length=STYLE_MAX,
        help_text=_("Leave empty to keep the song's own style."),
    )

    def clean_prompt(self):
        return normalise_text(self.cleaned_data.get("prompt", ""))

    def clean_style(self):
        return normalise_text(self.cleaned_data.get("style", ""))
