import json
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from music.forms import SongEditForm, excluded_styles
from music.models import Relation, SongState
from music.services import (
    capabilities,
    favourites,
    karaoke,
    library,
    media,
    mediatypes,
    retry,
    song_edits,
    stems,
)
from music.services.remembered import remembered
from music.views import cards, live
from music.views.decorators import editor_required, team_required


def hero_refresh_url(request, version, song):
    """Where the song's hero polls while the song is being made ("" when it is not)."""
    if not song.is_active:
        return ""
    return live.refresh_url(
        request, version, reverse("music:song_card", args=[song.pk]), [("part", "hero")]
    )


def in_flight_refresh_url(request, version, song, in_flight):
    """Where the song's in-flight list polls while work on it runs ("" when none does)."""
    if not in_flight:
        return ""
    return live.refresh_url(
        request, version, reverse("music:song_in_flight", args=[song.pk]), [("was", "busy")]
    )


def live_context(request, version, song, in_flight):
    return {
        "hero_refresh_url": hero_refresh_url(request, version, song),
        "in_flight_refresh_url": in_flight_refresh_url(request, version, song, in_flight),
        "refresh_seconds": live.REFRESH_SECONDS,
    }


@team_required
def song_detail(request, song_id):
    activity = library.team_activity(request.team)  # before the song: see live.py
    song = library.get_song_page(request.team, song_id, request.user)
    version = activity.version
    in_flight, failed = remembered(
        song.team_id, version, ("children", song.pk), lambda: library.child_tasks(song)
    )
    family = remembered(
        song.team_id, version, ("family", song.pk), lambda: library.song_family(song)
    )
    # Gathered once, from what the page loaded: the page asks "has timing?" too.
    facts = capabilities.SongFacts(song, family.members)
    offers = capabilities.song_offers(song, facts)
    context = {
        **live_context(request, activity.version, song, in_flight),
        "song": song,
        "task": song.task,
        "excluded_styles": excluded_styles(song),
        # Shown by the hero only for a failed song.
        "song_retry_url": retry.retry_url(song.task)
        if song.task and request.membership.can_spend
        else "",
        "family": family,
        "family_tree": cards.family_tree(family),
        "offers": offers,
        "in_flight": in_flight,
        "failures": [
            (task, retry.retry_url(task) if request.membership.can_spend else "") for task in failed
        ],
        "has_timing": facts.has_timing,
        # The waveform's peaks and the timed lines, for a song that can be played.
        "karaoke": karaoke.page_data(song) if song.is_ready and song.audio_file else None,
        "mixer": stems.mixer(family.members, song),
        "has_stems": any(
            m.parent_id == song.pk
            and m.relation in (Relation.STEM, *stems.STEM_RELATIONS)
            and m.state == SongState.SUCCEEDED
            and m.trashed_at is None
            for m in family.members
        ),
        "raw_json": json.dumps(song.raw, indent=2, ensure_ascii=False),
        "request_json": json.dumps(song.task.request_payload, indent=2, ensure_ascii=False)
        if song.task
        else "",
        "request_key": uuid.uuid4().hex,
    }
    return render(request, "music/song_detail.html", context)


@require_POST
@team_required
def song_favourite(request, song_id):
    """Star or unstar a song for oneself (viewers too: it changes nothing of the team's)."""
    song = library.get_song(request.team, song_id)
    on = favourites.set_favourite(request.user, song, request.POST.get("on") == "1")
    if request.htmx:
        return render(
            request,
            "music/partials/favourite_button.html",
            {"song_id": song.pk, "on": on, "in_card": request.GET.get("in") == "card"},
        )
    return redirect("music:song", song_id=song.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
def song_edit(request, song_id):
    """Rename a song and keep notes on it (members; each change is in its history)."""
    song = library.get_song(request.team, song_id)
    if request.method == "POST":
        form = SongEditForm(request.POST)
        if form.is_valid():
            changed = song_edits.edit(song, request.user, **form.cleaned_data)
            if changed:
                messages.success(request, _("Saved."))
            return redirect("music:song", song_id=song.pk)
    else:
        form = SongEditForm(initial={"title": song.title, "notes": song.notes})
    status = 400 if form.is_bound else 200
    return render(request, "music/song_edit.html", {"song": song, "form": form}, status=status)


@team_required
def song_history(request, song_id):
    """Who did what to the song; a partial for the song page, a page without JS."""
    song = library.get_song(request.team, song_id)
    template = "music/partials/song_history.html" if request.htmx else "music/song_history.html"
    return render(request, template, {"song": song, "events": song_edits.history(song)})


@live.refreshable
@team_required
def song_in_flight(request, song_id):
    """The live list of work running on a song; reloads the page when it is all done."""
    activity = library.team_activity(request.team)
    song = library.get_live_song(request.team, song_id)
    in_flight = library.active_child_tasks(song)
    response = render(
        request,
        "music/partials/song_in_flight.html",
        {
            **live_context(request, activity.version, song, in_flight),
            "song": song,
            "in_flight": in_flight,
        },
    )
    if not in_flight and request.GET.get("was") == "busy":
        response["HX-Refresh"] = "true"  # new children, exports or timing to show
    return response


@live.refreshable
@team_required
def song_card(request, song_id):
    """The live part of a song (state, player) for HTMX polling."""
    activity = library.team_activity(request.team)
    song = library.get_live_song(request.team, song_id)
    if request.GET.get("part") != "hero":
        return HttpResponse(cards.render_card(cards.card(song)))
    return render(
        request,
        "music/partials/song_hero.html",
        {**live_context(request, activity.version, song, []), "song": song},
    )


def _filename(song):
    """The download name, without extension (that comes from what the file is)."""
    base = slugify(song.title, allow_unicode=True) or "song"
    return f"{base}-{song.upstream_id[:8]}"


@team_required
def song_audio(request, song_id):
    song = library.get_song(request.team, song_id)
    if not song.audio_file and song.is_ready:
        # Not archived: send the listener to the provider's copy, but only on a media host
        # the provider is allowed (never wherever its answer points).
        url = media.safe_media_url(song.audio_url, song.account)
        if not url:
            raise Http404("Not archived.")
        return HttpResponseRedirect(url)
    return serve_song_file(request, song, "audio_file", (mediatypes.AUDIO, mediatypes.VIDEO))


@team_required
def song_cover(request, song_id):
    song = library.get_song(request.team, song_id)
    return serve_song_file(request, song, "image_file", (mediatypes.IMAGE,))


@team_required
def song_wav(request, song_id):
    song = library.get_song(request.team, song_id)
    return serve_song_file(request, song, "wav_file", (mediatypes.AUDIO,), download=True)


@team_required
def song_video(request, song_id):
    song = library.get_song(request.team, song_id)
    return serve_song_file(request, song, "video_file", (mediatypes.VIDEO, mediatypes.AUDIO))


def serve_song_file(request, song, field_name, kinds, download=False):
    """One of the song's stored files, ranges and all (also used by share links)."""
    field_file = getattr(song, field_name)
    if not field_file:
        raise Http404("Not made yet.")
    return media.serve_file(
        request,
        field_file,
        filename=_filename(song),
        kinds=kinds,
        as_attachment=download or request.GET.get("download") == "1",
    )
