import json
import uuid

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify

from music.forms import excluded_styles
from music.services import capabilities, library, media, mediatypes, retry
from music.views import cards, live
from music.views.decorators import team_required


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
    song = library.get_song_page(request.team, song_id)
    in_flight = library.active_child_tasks(song)
    family = library.song_family(song)
    facts = capabilities.SongFacts(song)  # gathered once: the page asks "has timing?" too
    offers = capabilities.song_offers(song, facts)
    context = {
        **live_context(request, activity.version, song, in_flight),
        "song": song,
        "task": song.task,
        "excluded_styles": excluded_styles(song),
        "song_retry_url": retry.retry_url(song.task)
        if song.task and song.state == "failed" and request.membership.can_spend
        else "",
        "family": family,
        "family_tree": cards.family_tree(family),
        "offers": offers,
        "in_flight": in_flight,
        "failures": [
            (task, retry.retry_url(task) if request.membership.can_spend else "")
            for task in library.failed_child_tasks(song)
        ],
        "has_timing": facts.has_timing,
        "raw_json": json.dumps(song.raw, indent=2, ensure_ascii=False),
        "request_json": json.dumps(song.task.request_payload, indent=2, ensure_ascii=False)
        if song.task
        else "",
        "request_key": uuid.uuid4().hex,
    }
    return render(request, "music/song_detail.html", context)


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
    return _serve(request, song, "audio_file", (mediatypes.AUDIO, mediatypes.VIDEO))


@team_required
def song_cover(request, song_id):
    song = library.get_song(request.team, song_id)
    return _serve(request, song, "image_file", (mediatypes.IMAGE,))


@team_required
def song_wav(request, song_id):
    song = library.get_song(request.team, song_id)
    return _serve(request, song, "wav_file", (mediatypes.AUDIO,), download=True)


@team_required
def song_video(request, song_id):
    song = library.get_song(request.team, song_id)
    return _serve(request, song, "video_file", (mediatypes.VIDEO, mediatypes.AUDIO))


def _serve(request, song, field_name, kinds, download=False):
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
