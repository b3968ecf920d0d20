from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music.forms import BoostStyleForm, CreateSongForm, LyricsIdeaForm
from music.models import Action
from music.services import accounts, capabilities, retry, tasks, writing
from music.views.decorators import spender_required


def chosen_account(request):
    """The account a helper call (lyrics, style) should use: the one picked, else the default."""
    team_accounts = accounts.team_accounts(request.team)
    picked = request.POST.get("account")
    return next((a for a in team_accounts if str(a.pk) == picked), None) or next(
        (a for a in team_accounts if a.is_default), None
    )


@spender_required
def create_song(request):
    form = CreateSongForm(
        request.POST or None, team=request.team, accounts=accounts.team_accounts(request.team)
    )
    retrying = retry.refill(request, form, Action.GENERATE)
    if request.method == "POST" and form.is_valid():
        tasks.start_task(
            team=request.team,
            user=request.user,
            action=Action.GENERATE,
            params=form.to_params(),
            request_key=form.request_key,
            account=form.account,
        )
        if form.account is not None and form.account.last_test_ok is False:
            messages.warning(
                request,
                _(
                    "Queued for “%(name)s”, whose last connection test failed: it may fail "
                    "too. The library shows what happens to it."
                )
                % {"name": form.account},
            )
        else:
            messages.success(
                request, _("Your song is on its way. It appears in the library as it is made.")
            )
        return redirect("music:library")
    context = {"form": form, "helpers": helpers(form), "retrying": retrying}
    return render(request, "music/create.html", context)


def helpers(form):
    """Which word helpers to show: those the form's account offers (all while a choice of
    accounts is open; a refused click then says why)."""
    if "account" in form.fields:
        return {"lyrics": True, "style": True, "lyrics_model": True}
    offered = capabilities.offered(form.account)
    return {
        "lyrics": capabilities.LYRICS in offered,
        "style": capabilities.STYLE in offered,
        # Only a format whose lyrics endpoint takes a model is asked which (the service
        # leaves it out for the others when accounts are still to be chosen).
        "lyrics_model": capabilities.takes_lyrics_model(form.account),
    }


@spender_required
@require_POST
def write_lyrics(request):
    """Fill the lyrics from an idea (the upstream's lyrics endpoint)."""
    idea_form = LyricsIdeaForm(request.POST)
    form = CreateSongForm(
        request.POST, team=request.team, accounts=accounts.team_accounts(request.team)
    )
    error = ""
    lyric = request.POST.get("lyric", "")
    title = request.POST.get("title", "")
    if idea_form.is_valid():
        result = writing.write_lyrics(
            idea_form.cleaned_data["idea"],
            chosen_account(request),
            idea_form.cleaned_data["lyrics_model"],
        )
        if result.ok:
            lyric, title = result.lyrics.text, title or result.lyrics.title
        else:
            error = result.error
    else:
        error = idea_form.errors["idea"][0]
    if request.htmx:
        return render(
            request,
            "music/partials/lyrics_field.html",
            {"lyric": lyric, "title": title, "error": error, "oob_title": True},
        )
    data = request.POST.copy()
    data.update({"lyric": lyric, "title": title, "mode": "custom"})
    form = CreateSongForm(
        initial=data.dict(), team=request.team, accounts=accounts.team_accounts(request.team)
    )
    return render(
        request,
        "music/create.html",
        {
            "form": form,
            "lyrics_error": error,
            "idea": request.POST.get("idea", ""),
            "lyrics_model": request.POST.get("lyrics_model", ""),
            "helpers": helpers(form),
        },
    )


@spender_required
@require_POST
def boost_style(request):
    """Expand a few style words into richer tags (the upstream's style endpoint)."""
    style_form = BoostStyleForm(request.POST)
    style = request.POST.get("style", "")
    error = ""
    if style_form.is_valid():
        result = writing.boost_style(style_form.cleaned_data["style"], chosen_account(request))
        if result.ok:
            style = result.style
        else:
            error = result.error
    else:
        error = style_form.errors["style"][0]
    if request.htmx:
        return render(request, "music/partials/style_field.html", {"style": style, "error": error})
    data = request.POST.copy()
    data.update({"style": style, "mode": "custom"})
    form = CreateSongForm(
        initial=data.dict(), team=request.team, accounts=accounts.team_accounts(request.team)
    )
    context = {"form": form, "style_error": error, "helpers": helpers(form)}
    return render(request, "music/create.html", context)
