"""Personas: voices made from the team's songs, and new songs sung by them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music.forms import PersonaForm, PersonaSongForm
from music.models import Role
from music.services import actions, capabilities, library
from music.services.actions import ActionRefused
from music.views.decorators import spender_required, team_required


@team_required
def persona_list(request):
    personas = library.team_personas(request.team)
    return render(request, "music/persona_list.html", {"personas": personas})


@spender_required
def persona_create(request, song_id):
    song = library.get_song(request.team, song_id)
    form = PersonaForm(request.POST or None, initial={"name": song.title})
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
    account = persona.source_song.account
    form = PersonaSongForm(request.POST or None, team=request.team, account=account)
    refusal = capabilities.account_refusal(account, capabilities.PERSONA)
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
    context = {"persona": persona, "form": form, "refusal": refusal}
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/persona_sing.html", context, status=status)


@spender_required
@require_POST
def persona_delete(request, persona_id):
    """Remove a persona from the studio (the provider keeps no list to delete from)."""
    persona = library.get_persona(request.team, persona_id)
    if request.membership.role != Role.OWNER and persona.created_by_id != request.user.pk:
        messages.error(request, _("Only the persona's maker or a team owner can delete it."))
    else:
        persona.delete()
        messages.success(request, _("Persona “%(name)s” deleted.") % {"name": persona})
    return redirect("music:personas")
