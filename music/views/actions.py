"""Grow a song: extend, cover, concat, stems, exports."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from music.forms import AdjustSpeedForm, CoverForm, ExtendForm, RemasterForm, SampleForm
from music.services import actions, capabilities, library, retry, stems, voices
from music.services.actions import ActionRefused
from music.views.decorators import spender_required

QUEUED = gettext_lazy("On its way: it appears in the family tree as it is made.")
EXPORTING = gettext_lazy("On its way: this page updates when it is ready.")
MAKES_SONGS = {"concat", "stems", "all_stems"}


def _form_action(request, song_id, form_class, run, *, action, heading, intro):
    """Show an action's form for a song, and queue the action when the form is valid."""
    song = library.get_song(request.team, song_id)
    form = form_class(request.POST or None, team=request.team, song=song, account=song.account)
    retrying = retry.refill(request, form, action)
    # Said before anything is typed: the song's account may not offer this at all.
    refusal = capabilities.check(song, action).reason
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            run(request.membership, song, form)
        except ActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, QUEUED)
            return redirect("music:song", song.pk)
    context = {
        "song": song,
        "form": form,
        "refusal": refusal,
        "heading": heading,
        "intro": intro,
        "retrying": retrying,
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/song_action.html", context, status=status)


@spender_required
def extend_song(request, song_id):
    def run(membership, song, form):
        return actions.extend(
            membership,
            song,
            form.words(),
            continue_at=form.cleaned_data["continue_at"],
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        ExtendForm,
        run,
        action=capabilities.EXTEND,
        heading=_("Extend"),
        intro=_(
            "Continue the song from a chosen second with new lyrics. The result is a "
            "fragment: use “Get whole song” on it to join it to what came before."
        ),
    )


@spender_required
def cover_song(request, song_id):
    def run(membership, song, form):
        return actions.cover(membership, song, form.words(), request_key=form.request_key)

    return _form_action(
        request,
        song_id,
        CoverForm,
        run,
        action=capabilities.COVER,
        heading=_("Cover"),
        intro=_(
            "The same song in another style, or with other lyrics. Covers are made in the Pro pool."
        ),
    )


@spender_required
def remaster_song(request, song_id):
    def run(membership, song, form):
        return actions.remaster(membership, song, form.to_params(), request_key=form.request_key)

    return _form_action(
        request,
        song_id,
        RemasterForm,
        run,
        action=capabilities.REMASTER,
        heading=_("Remaster"),
        intro=_(
            "A cleaner, louder master of the same song, made with v4.5+ or newer in the Pro "
            "pool. You get two takes."
        ),
    )


@spender_required
def adjust_speed_song(request, song_id):
    def run(membership, song, form):
        d = form.cleaned_data
        return actions.adjust_speed(
            membership,
            song,
            speed_multiplier=d["speed_multiplier"],
            keep_pitch=d["keep_pitch"],
            title=d["title"],
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        AdjustSpeedForm,
        run,
        action=capabilities.ADJUST_SPEED,
        heading=_("Change speed"),
        intro=_("The same song faster or slower, as a new song in its family tree."),
    )


@spender_required
def sample_song(request, song_id):
    def run(membership, song, form):
        d = form.cleaned_data
        return actions.sample(
            membership,
            song,
            start=d["samples_start"],
            end=d["samples_end"],
            request_key=form.request_key,
        )

    return _form_action(
        request,
        song_id,
        SampleForm,
        run,
        action=capabilities.SAMPLES,
        heading=_("Sample"),
        intro=_("A new song of exactly the seconds you choose, to loop or build on."),
    )


QUICK_ACTIONS = {
    "concat": actions.concat,
    "stems": actions.stems,
    "all_stems": stems.all_stems,
    "timing": actions.fetch_timing,
    "wav": actions.export_wav,
    "mp4": actions.export_mp4,
    "midi": voices.export_midi,
}
QUICK_DONE = {
    "concat": gettext_lazy("Already joined: the whole song is in the family tree."),
    "stems": gettext_lazy("Already split: the stems are in the family tree."),
    "all_stems": gettext_lazy("Already split: the 12 stems are in the family tree."),
    "timing": gettext_lazy("The lyric timing is already here."),
    "wav": gettext_lazy("The WAV is already here."),
    "mp4": gettext_lazy("The video is already here."),
    "midi": gettext_lazy("The MIDI file is already here."),
}


@spender_required
@require_POST
def quick_action(request, song_id, action):
    """One-click actions on a song (whole song, stems, timing, WAV, MP4)."""
    song = library.get_song(request.team, song_id)
    if action not in QUICK_ACTIONS:
        raise Http404("No such action.")
    try:
        task = QUICK_ACTIONS[action](
            request.membership, song, request_key=request.POST.get("request_key", "")[:64]
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        if task is None:
            messages.success(request, QUICK_DONE[action])
        else:
            messages.success(request, QUEUED if action in MAKES_SONGS else EXPORTING)
    return redirect("music:song", song.pk)
