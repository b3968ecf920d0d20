"""Several library songs at once: favourite, trash, or download as one ZIP."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from music.services import exports, favourites, library, trash
from music.views.decorators import forbidden, team_required, viewer_refusal
from music.views.exports import zip_response

MAX_PICKED = 200


def picked_ids(request):
    ids = []
    for value in request.POST.getlist("song")[:MAX_PICKED]:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "music:library")


@require_POST
@team_required
def bulk_songs(request):
    action = request.POST.get("do", "")
    songs = list(
        library.team_songs(request.team).filter(pk__in=picked_ids(request)).order_by("-created_at")
    )
    if not songs:
        messages.error(request, _("Pick one or more songs first (the box on each card)."))
        return back(request)
    if action == "playlist":
        query = "&".join(f"song={song.pk}" for song in songs)
        return redirect(f"{reverse('music:playlist_add')}?{query}")
    if action == "zip":
        return zip_response(exports.zip_songs(songs), "songs.zip")
    if action in ("favourite", "unfavourite"):
        for song in songs:
            favourites.set_favourite(request.user, song, action == "favourite")
        messages.success(
            request,
            ngettext(
                "%(count)s song added to your favourites.",
                "%(count)s songs added to your favourites.",
                len(songs),
            )
            % {"count": len(songs)}
            if action == "favourite"
            else ngettext(
                "%(count)s song removed from your favourites.",
                "%(count)s songs removed from your favourites.",
                len(songs),
            )
            % {"count": len(songs)},
        )
        return back(request)
    if action == "trash":
        if not request.membership.can_spend:
            return forbidden(request, viewer_refusal())
        moved = 0
        for song in songs:
            try:
                trash.trash(song, request.user)
                moved += 1
            except trash.CannotTrash:
                continue
        messages.success(
            request,
            ngettext(
                "%(count)s song moved to the trash.", "%(count)s songs moved to the trash.", moved
            )
            % {"count": moved},
        )
        return back(request)
    messages.error(request, _("Choose what to do with the songs you picked."))
    return back(request)
