"""Personas: voices made from the team's songs, and new songs sung by them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from music.forms import PersonaForm, PersonaSongForm
from music.models import Action, Role
from music.services import actions, capabilities, library, personas, retry
from music.services.actions import ActionRefused
from music.services.tasks import default_account
from music.views.decorators import confirmation, spender_required, team_required

DELETE_PERSONA_CONSEQUENCE = gettext_lazy(
    "Its voice can no longer sing new songs here. The songs it sang stay in the library."
)


@team_required
@require_safe
def persona_list(request):
    # The provider's list first: personas made elsewhere come in, deleted ones are marked.
    # Viewers change nothing of the team, so they see the list as members last left it.
    synced = personas.sync(request.team) if request.membership.can_spend else None
    context = {
        "personas": library.team_personas(request.team),
        "delete_consequence": DELETE_PERSONA_CONSEQUENCE,
        "sync": synced,
        "voices_refusal": capabilities.account_refusal(
            default_account(request.team), capabilities.VOICES
        ),
    }
    return render(request, "music/persona_list.html", context)


@spender_required
def persona_create(request, song_id):
    song = library.get_song(request.team, song_id)
    form = PersonaForm(request.POST or None, initial={"name": song.title})
    retrying = retry.refill(request, form, Action.PERSONA)
    refusal = capabilities.check(song, capabilities.PERSONA).reason
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            actions.make_persona(
                request.membership,
                song,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                request_key=form.request_key,
            )
        except ActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(
                request, _("Making the persona: it appears under Personas in a moment.")
            )
            return redirect("music:personas")
    context = {
        "song": song,
        "form": form,
        "refusal": refusal,
        "retrying": retrying,
        "heading": _("Make a persona"),
        "intro": _(
            "A persona keeps this song's voice so new songs can be sung with it. "
            "Personas are made in the Pro pool, from songs the model sang (not "
            "uploads)."
        ),
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/song_action.html", context, status=status)


@spender_required
def persona_sing(request, persona_id):
    persona = library.get_persona(request.team, persona_id)
    account = persona.voice_account
    form = PersonaSongForm(request.POST or None, team=request.team, account=account)
    retrying = retry.refill(request, form, Action.ARTIST_CONSISTENCY)
    refusal = capabilities.account_refusal(account, capabilities.PERSONA)
    if persona.gone_upstream_at:
        refusal = _("This persona was deleted at the provider, so it can no longer sing.")
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            actions.persona_song(
                request.membership, persona, form.words(), request_key=form.request_key
            )
        except ActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("%(name)s is singing your new song.") % {"name": persona})
            return redirect("music:library")
    context = {"persona": persona, "form": form, "refusal": refusal, "retrying": retrying}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/persona_sing.html", context, status=status)


@spender_required
@require_http_methods(["GET", "POST"])
def persona_delete(request, persona_id):
    """Delete a persona here and at the provider (a relay keeps no list to delete from)."""
    persona = library.get_persona(request.team, persona_id)
    if request.method == "GET":
        return confirmation(
            request,
            question=_("Delete the persona “%(name)s”?") % {"name": persona},
            consequence=DELETE_PERSONA_CONSEQUENCE,
            button=_("Delete"),
            cancel_url=reverse("music:personas"),
        )
    if request.membership.role != Role.OWNER and persona.created_by_id != request.user.pk:
        messages.error(request, _("Only the persona's maker or a team owner can delete it."))
    else:
        try:
            told = personas.delete(persona)
        except personas.NotDeleted as exc:
            messages.error(
                request,
                _("The provider did not delete the persona, so it is kept here too. %(reason)s")
                % {"reason": exc.message},
            )
        else:
            done = _("Persona “%(name)s” deleted.") % {"name": persona}
            if not told and not persona.gone_upstream_at:
                done += " " + _(
                    "The relay format has no way to delete it at the provider, which keeps it."
                )
            messages.success(request, done)
    return redirect("music:personas")
