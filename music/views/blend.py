"""Create from the team's songs: a mashup of two, or a song inspired by 1-4 (issue #15)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseGone
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from music.forms import InspoForm, MashupForm
from music.models import Action
from music.services import accounts, blending, capabilities, references, retry, writing
from music.services.actions import ActionRefused
from music.services.tasks import default_account
from music.views.decorators import spender_required


def mashup_form(request, data=None, initial=None):
    songs = list(blending.pickable(request.team))
    return MashupForm(data, initial=initial, team=request.team, songs=songs)


def default_refusal(team, action):
    """Said before anything is picked: the team's default account may have no way at all."""
    return capabilities.account_refusal(default_account(team), action)


@spender_required
def create_mashup(request):
    initial = {}
    picked = request.GET.get("with", "")
    form = mashup_form(request, request.POST or None, initial=initial)
    if picked in dict(form.fields["song_a"].choices):
        form.initial["song_a"] = picked
    retrying = retry.refill(request, form, Action.MASHUP)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            blending.mashup(
                request.membership, form.song_ids, form.words(), request_key=form.request_key
            )
        except ActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _("Your mashup is on its way. It appears under both songs as it is made."),
            )
            return redirect("music:library")
    status = 409 if refusal else 200
    context = {
        "form": form,
        "refusal": refusal,
        "retrying": retrying,
        "notice": default_refusal(request.team, capabilities.MASHUP),
    }
    return render(request, "music/mashup.html", context, status=status)


@spender_required
@require_POST
def write_mashup_lyrics(request):
    """Fill the lyrics by merging both picked songs' (the provider's mashup-lyrics helper)."""
    form = mashup_form(request, request.POST)
    lyric, error = request.POST.get("lyric", ""), ""
    ids = [request.POST.get("song_a", ""), request.POST.get("song_b", "")]
    if not all(ids) or ids[0] == ids[1]:
        error = _("Pick the two songs first.")
    else:
        try:
            first, second = blending.pick(request.team, ids)
        except ActionRefused as exc:
            error = exc.message
        else:
            result = writing.mashup_lyrics(first.lyric, second.lyric, first.account)
            if result.ok:
                lyric = result.lyrics.text
            else:
                error = result.error
    if request.htmx:
        return render(request, "music/partials/lyrics_field.html", {"lyric": lyric, "error": error})
    data = request.POST.copy()
    data["lyric"] = lyric
    form = mashup_form(request, initial=data.dict())
    context = {"form": form, "lyrics_error": error, "lyric": lyric}
    return render(request, "music/mashup.html", context)


@spender_required
def create_inspo(request):
    songs = list(blending.pickable(request.team))
    form = InspoForm(
        request.POST or None,
        team=request.team,
        accounts=accounts.team_accounts(request.team),
        songs=songs,
    )
    picked = request.GET.get("with", "")
    if picked in dict(form.fields["references"].choices):
        form.initial["references"] = [picked]
    retrying = retry.refill(request, form, Action.INSPO)
    # With one account to choose from, say at once when it has no way to do this.
    notice = "" if "account" in form.fields else default_refusal(request.team, capabilities.INSPO)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            blending.inspo(
                request.membership,
                form.cleaned_data["references"],
                form.words(),
                request_key=form.request_key,
                account=form.account,
            )
        except ActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(
                request, _("Your song is on its way. It appears in the library as it is made.")
            )
            return redirect("music:library")
    status = 409 if refusal else 200
    context = {"form": form, "refusal": refusal, "notice": notice, "retrying": retrying}
    return render(request, "music/inspo.html", context, status=status)


@require_safe
def song_file(request, song_id, token, name):
    """A team song's audio, lent to the provider as a reference: only with a valid link."""
    try:
        song = references.song_for_link(song_id, token, name)
    except references.LinkExpired:
        return HttpResponseGone(_("This link has expired."), content_type="text/plain")
    if song is None:
        raise Http404("No such file.")
    content_type = "audio/wav" if name.endswith(".wav") else "audio/mpeg"
    response = FileResponse(song.audio_file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
