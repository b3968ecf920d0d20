"""One stem of a song: add an instrument over it, or take one out (issue #15). The twelve
stems are a one-click action (views.actions.quick_action); their mixer is on the song page."""

from django.utils.translation import gettext as _

from music.forms import AddStemForm, ExtractStemForm
from music.services import capabilities, stems
from music.views.actions import _form_action
from music.views.decorators import spender_required


@spender_required
def extract_stem_song(request, song_id):
    def run(membership, song, form):
        d = form.cleaned_data
        return stems.extract_stem(
            membership,
            song,
            stem_type=d["stem_type"],
            audio_format=d["audio_format"],
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        ExtractStemForm,
        run,
        action=capabilities.EXTRACT_STEM,
        heading=_("Extract a stem"),
        intro=_(
            "One part of the song on its own, such as the bass, and the song without it: two "
            "new songs in its family tree."
        ),
    )


@spender_required
def add_stem_song(request, song_id):
    def run(membership, song, form):
        d = form.cleaned_data
        return stems.add_stem(
            membership,
            song,
            stem_type=d["stem_type"],
            prompt=d["prompt"],
            style=d["style"],
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        AddStemForm,
        run,
        action=capabilities.ADD_STEM,
        heading=_("Add a stem"),
        intro=_("The same song with one more part played over it. You get two takes."),
    )
