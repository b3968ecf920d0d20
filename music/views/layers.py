"""Add instrumental / Add vocals, from a song's page (issue #15)."""

from django.utils.translation import gettext as _

from music.forms import AddInstrumentalForm, AddVocalsForm
from music.services import capabilities, layers
from music.views.actions import _form_action
from music.views.decorators import spender_required


@spender_required
def add_instrumental(request, song_id):
    def run(membership, song, form):
        return layers.add_instrumental(
            membership, song, form.to_params(), request_key=form.request_key
        )

    return _form_action(
        request,
        song_id,
        AddInstrumentalForm,
        run,
        action=capabilities.ADD_INSTRUMENTAL,
        heading=_("Add instrumental"),
        intro=_(
            "A band under the song's vocals, only in the seconds you choose; the rest stays "
            "as it is. Best on a vocal-only song (an a cappella upload). You get two takes."
        ),
    )


@spender_required
def add_vocals(request, song_id):
    def run(membership, song, form):
        return layers.add_vocals(membership, song, form.to_params(), request_key=form.request_key)

    return _form_action(
        request,
        song_id,
        AddVocalsForm,
        run,
        action=capabilities.ADD_VOCALS,
        heading=_("Add vocals"),
        intro=_(
            "Your lyrics sung over the song's instrumental, only in the seconds you choose; "
            "the rest stays as it is. Best on an instrumental. You get two takes."
        ),
    )
