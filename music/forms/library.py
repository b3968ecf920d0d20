"""Forms of the library and of a song's care: filters, title and notes, playlists, share links."""

from django import forms
from django.utils.translation import gettext_lazy as _

from music.models import SongState

# (aliased: `capabilities` is also the account form's field)


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
