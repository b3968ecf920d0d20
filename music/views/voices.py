"""Voices and MIDI (issue #15): a song's notes as a .mid file, a persona v2 from a vocal
range of a song, and a private voice from a recording."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from music.forms import PersonaV2Form, VoiceForm
from music.models import Action, SongState
from music.services import capabilities, library, storage, uploads, voices
from music.services.actions import ActionRefused
from music.services.media import media_headers, redirect_to_bucket
from music.services.tasks import default_account
from music.views.actions import _form_action
from music.views.decorators import spender_required, team_required
from music.views.songs import _filename

VOICE_SONGS = 200  # the newest of the team's songs offered as a recording


@team_required
def song_midi(request, song_id):
    """The song's notes as a standard MIDI file, named after the song like its other files."""
    song = library.get_song(request.team, song_id)
    if not song.midi_file:
        raise Http404("Not made yet.")
    filename = f"{_filename(song)}.mid"
    if storage.is_object_storage(song.midi_file.storage):
        return redirect_to_bucket(song.midi_file, "audio/midi", filename, True)
    response = FileResponse(
        song.midi_file.open("rb"), content_type="audio/midi", as_attachment=True, filename=filename
    )
    return media_headers(response)


@spender_required
def persona_v2(request, song_id):
    def run(membership, song, form):
        d = form.cleaned_data
        return voices.persona_v2(
            membership,
            song,
            name=d["name"],
            description="",
            start=d["vocal_start"],
            end=d["vocal_end"],
            words=form.words(),
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        PersonaV2Form,
        run,
        action=capabilities.VOX,
        heading=_("Persona v2"),
        intro=_(
            "Choose where the voice sings clearly: those seconds of vocals become a persona "
            "(v2), which then sings your new song. It is kept under Personas for more songs."
        ),
    )


@spender_required
def voice_create(request):
    """A private voice from a recording of at least 10 seconds: a team song, or a file."""
    account = default_account(request.team)
    songs = (
        library.team_songs(request.team)
        .filter(state=SongState.SUCCEEDED, duration__gte=voices.VOICE_MIN_SECONDS)
        .order_by("-created_at")[:VOICE_SONGS]
    )
    form = VoiceForm(request.POST or None, request.FILES or None, songs=songs)
    refusal = capabilities.account_refusal(account, capabilities.VOICES)
    if request.method == "POST" and not refusal and form.is_valid():
        d = form.cleaned_data
        try:
            upload = None if d["song"] else uploads.store(request.membership, d["audio_file"])
            voices.make_voice(
                request.membership,
                name=d["name"],
                description=d["description"],
                song=d["song"],
                upload=upload,
                account=account,
                request_key=form.request_key,
            )
        except (ActionRefused, uploads.UploadRefused) as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Making the voice: it appears under Personas in a moment."))
            return redirect("music:personas")
    context = {"form": form, "refusal": refusal, "action": Action.VOICE}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/voice_create.html", context, status=status)
