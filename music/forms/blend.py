"""The create page's other ways to start: a mashup of two team songs, a song inspired by 1-4.

The songs offered are the team's own finished ones outside the trash (services.blending
checks the ids again); the words follow each model's limits like every song-making form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from music import catalogue
from music.forms.base import SongWordsForm, normalise_text
from music.services import naming

PICK_LIMIT = 300  # the newest songs offered in the pickers
INSPO_MAX = 4
NOT_PICKABLE = _(
    "That song is not one of this team's finished songs (another team's, unfinished or in "
    "the trash): pick one from the list."
)
PICK_ERRORS = {"required": _("Pick a song."), "invalid_choice": NOT_PICKABLE}


def song_choices(songs):
    return [(str(s.pk), naming.full_title(s)) for s in songs[:PICK_LIMIT]]


class MashupForm(SongWordsForm):
    song_a = forms.ChoiceField(label=_("First song"), error_messages=PICK_ERRORS)
    song_b = forms.ChoiceField(label=_("Second song"), error_messages=PICK_ERRORS)
    prompt = forms.CharField(
        label=_("Describe the mashup"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-counter": "prompt", "data-limit": catalogue.DESCRIPTION_MAX}
        ),
        help_text=_("Or write its lyrics below (“Write mashup lyrics” merges both songs')."),
    )

    def __init__(self, *args, songs=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Pick a song")), *song_choices(songs)]
        self.fields["song_a"].choices = choices
        self.fields["song_b"].choices = choices
        self.fields["lyric"].help_text = _("Leave empty to describe the mashup instead.")

    def clean(self):
        data = super().clean()
        if data.get("song_a") and data.get("song_a") == data.get("song_b"):
            self.add_error("song_b", _("Pick two different songs to mash up."))
        prompt = data["prompt"] = normalise_text(data.get("prompt"))
        if not prompt and not data.get("lyric") and not data.get("instrumental"):
            self.add_error("prompt", _("Describe the mashup, or write its lyrics."))
        elif len(prompt) > catalogue.DESCRIPTION_MAX:
            self.add_error(
                "prompt",
                _("The description is %(n)s characters; the limit is %(max)s.")
                % {"n": len(prompt), "max": catalogue.DESCRIPTION_MAX},
            )
        return data

    @property
    def song_ids(self):
        return [self.cleaned_data["song_a"], self.cleaned_data["song_b"]]

    def words(self):
        words = super().words()
        if self.cleaned_data["prompt"]:
            words["prompt"] = self.cleaned_data["prompt"]
        return words


class InspoForm(SongWordsForm):
    references = forms.MultipleChoiceField(
        label=_("Reference songs"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("1 to 4 of the team's songs (uploads too): the new song takes after them."),
        error_messages={
            "required": _("Pick at least one reference song."),
            "invalid_choice": NOT_PICKABLE,
        },
    )
    prompt = forms.CharField(
        label=_("Lyrics or idea"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": "lyric"}),
        help_text=_("Optional: lines to sing, or a few words about the new song."),
    )
    audio_weight = forms.FloatField(
        label=_("Reference influence"),
        required=False,
        min_value=0,
        max_value=1,
        help_text=_("0 to 1: the higher, the closer to the references. Empty: the default."),
        error_messages={
            "min_value": _("Give a number from 0 to 1."),
            "max_value": _("Give a number from 0 to 1."),
            "invalid": _("Give a number from 0 to 1."),
        },
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
    )

    def __init__(self, *args, songs=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lyric", "style_negative", "instrumental"):
            del self.fields[name]
        self.fields["references"].choices = song_choices(songs)

    def clean(self):
        data = super().clean()
        picked = data.get("references") or []
        if len(picked) > INSPO_MAX:
            self.add_error("references", _("Pick at most 4 reference songs."))
        prompt = data["prompt"] = normalise_text(data.get("prompt"))
        model = catalogue.get_model(data.get("model"))
        if len(prompt) > model.lyric_max:
            self.add_error(
                "prompt",
                _("This is %(n)s characters; %(model)s allows at most %(max)s.")
                % {"n": len(prompt), "model": model.label, "max": model.lyric_max},
            )
        return data

    def words(self):
        d = self.cleaned_data
        words = {
            "model": d["model"],
            "is_pro": d.get("is_pro", False),
            "prompt": d["prompt"],
            "style": d.get("style", ""),
            "title": d.get("title", ""),
            "audio_weight": d.get("audio_weight"),
        }
        return {k: v for k, v in words.items() if v not in ("", None)}
