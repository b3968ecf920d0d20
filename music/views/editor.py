"""The timing-aligned lyric editor: replace a section by choosing lyric lines."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music import upstream
from music.forms import ReplaceSectionForm
from music.models import LyricTiming
from music.services import actions, capabilities, library, lyric_editor
from music.services.actions import ActionRefused
from music.views.decorators import spender_required, team_required


def _timed(song):
    timing = LyricTiming.objects.filter(song=song).first()
    if timing is None:
        return None, []
    return timing, lyric_editor.timed_lines(lyric_editor.normalise_words(timing.words))


def _request_preview(song, form):
    """The JSON the provider will get, exactly as the client builds it."""
    params = actions.replace_section_params(
        song,
        form.replacement,
        model=form.cleaned_data["model"],
        is_pro=form.cleaned_data.get("is_pro", False),
        result_mode=form.chosen_result_mode,
    )
    payload = upstream.get_provider(song.account).describe_request(params["action"], params)
    return json.dumps(payload, indent=2, ensure_ascii=False)


@team_required
def section_editor(request, song_id):
    song = library.get_song(request.team, song_id)
    timing, lines = _timed(song)
    refusal = capabilities.check(song, capabilities.REPLACE).reason
    form = ReplaceSectionForm(request.POST or None, song=song, lines=lines, team=request.team)
    preview = ""
    if request.method == "POST":
        if not request.membership.can_spend:
            refusal = _("Viewers can listen and download, but cannot make songs.")
        elif not refusal and lines and form.is_valid():
            data = form.cleaned_data
            try:
                actions.replace_section(
                    request.membership,
                    song,
                    form.replacement,
                    model=data["model"],
                    is_pro=data.get("is_pro", False),
                    auto_concat=data.get("auto_concat", False),
                    result_mode=form.chosen_result_mode,
                    request_key=form.request_key,
                )
            except ActionRefused as exc:
                refusal = exc.message
            else:
                if form.chosen_result_mode == "full_song":
                    done = _(
                        "The whole song with the new section is on its way. It appears in the "
                        "family tree."
                    )
                else:
                    done = _(
                        "The new section is on its way. It appears in the family tree as a "
                        "fragment."
                    )
                messages.success(request, done)
                return redirect("music:song", song.pk)
        if lines and form.is_valid():
            # Only a valid form has a request to show (an invalid model has no cleaned value).
            preview = _request_preview(song, form)
    context = {
        "song": song,
        "timing": timing,
        "lines": lines,
        "form": form,
        "refusal": refusal,
        "preview": preview,
        "in_flight": library.active_child_tasks(song),
        "editor_data": {
            "lines": [line.as_dict() for line in lines],
            "peaks": lyric_editor.compact_peaks(timing.waveform) if timing else [],
            "duration": song.duration or 0,
            "audio": reverse("music:song_audio", args=[song.pk]),
            "maxWindow": lyric_editor.MAX_WINDOW,
            # The waveform widget styles its shadow DOM with a <style> that needs this nonce.
            "nonce": str(request.csp_nonce),
        },
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "music/section_editor.html", context, status=status)


@team_required
@require_POST
def section_preview(request, song_id):
    """What the editor will send, or why it cannot (HTMX, while the user selects and types)."""
    song = library.get_song(request.team, song_id)
    _timing, lines = _timed(song)
    form = ReplaceSectionForm(request.POST, song=song, lines=lines, team=request.team)
    preview = _request_preview(song, form) if form.is_valid() else ""
    return render(
        request, "music/partials/section_preview.html", {"form": form, "preview": preview}
    )


@spender_required
@require_POST
def fetch_timing_for_editor(request, song_id):
    song = library.get_song(request.team, song_id)
    try:
        actions.fetch_timing(
            request.membership, song, request_key=request.POST.get("request_key", "")[:64]
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return redirect("music:section_editor", song.pk)


@team_required
def lyrics_export(request, song_id, fmt):
    if fmt not in ("lrc", "srt"):
        raise Http404("Unknown lyrics format.")
    song = library.get_song(request.team, song_id)
    _timing, lines = _timed(song)
    if not lines:
        raise Http404("No lyric timing for this song yet.")
    if fmt == "lrc":
        body = lyric_editor.to_lrc(
            lines, title=song.title, artist=song.author.get_username() if song.author else ""
        )
        content_type = "text/plain; charset=utf-8"
    else:
        body = lyric_editor.to_srt(lines)
        content_type = "application/x-subrip; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    name = slugify(song.title, allow_unicode=True) or "lyrics"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response
