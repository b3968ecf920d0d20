"""Team playlists: list and create, play in order, reorder, add songs, take as a ZIP."""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from music.forms import PlaylistForm
from music.services import exports, library, playlists
from music.views.decorators import editor_required, forbidden, team_required, viewer_refusal
from music.views.exports import zip_response


def _song_ids(values):
    ids = []
    for value in values[:200]:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


@team_required
def playlist_list(request):
    form = PlaylistForm()
    if request.method == "POST":
        if not request.membership.can_spend:
            return forbidden(request, viewer_refusal())
        form = PlaylistForm(request.POST)
        if form.is_valid():
            playlist = playlists.create(request.team, request.user, form.cleaned_data["name"])
            return redirect("music:playlist", playlist_id=playlist.pk)
    return render(
        request,
        "music/playlist_list.html",
        {"playlists": playlists.team_playlists(request.team), "form": form},
        status=400 if form.errors else 200,
    )


@team_required
def playlist_detail(request, playlist_id):
    playlist = playlists.get_playlist(request.team, playlist_id)
    return render(
        request,
        "music/playlist_detail.html",
        {"playlist": playlist, "items": playlists.items(playlist)},
    )


@require_POST
@editor_required
def playlist_edit(request, playlist_id):
    """Move an item up or down, remove it, or (from the page's script) set a whole order."""
    playlist = playlists.get_playlist(request.team, playlist_id)
    action = request.POST.get("do", "")
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        item_id = None
    if action in ("up", "down") and item_id is not None:
        playlists.move(playlist, item_id, -1 if action == "up" else 1)
    elif action == "remove" and item_id is not None:
        playlists.remove(playlist, item_id)
    elif action == "reorder":
        order = []
        for value in request.POST.getlist("item"):
            try:
                order.append(int(value))
            except ValueError:
                continue
        playlists.reorder(playlist, order)
        if request.htmx or request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
    url = reverse("music:playlist", args=[playlist.pk])
    return redirect(f"{url}#item-{item_id}" if item_id else url)


@editor_required
def playlist_add(request):
    """GET: which playlist should the picked songs go to? POST: put them there."""
    ids = _song_ids(request.POST.getlist("song") or request.GET.getlist("song"))
    songs = list(library.team_songs(request.team).filter(pk__in=ids).order_by("created_at"))
    form = PlaylistForm(request.POST if request.POST.get("new") else None)
    if request.method == "POST" and songs:
        playlist = None
        if request.POST.get("new"):
            if form.is_valid():
                playlist = playlists.create(request.team, request.user, form.cleaned_data["name"])
        else:
            try:
                playlist = playlists.get_playlist(request.team, uuid.UUID(request.POST["playlist"]))
            except (KeyError, ValueError):
                messages.error(request, _("Choose a playlist, or name a new one."))
        if playlist is not None:
            added = playlists.add(playlist, songs, request.user)
            messages.success(
                request,
                ngettext(
                    "%(count)s song added to “%(playlist)s”.",
                    "%(count)s songs added to “%(playlist)s”.",
                    added,
                )
                % {"count": added, "playlist": playlist},
            )
            return redirect("music:playlist", playlist_id=playlist.pk)
    if not songs:
        messages.error(request, _("Pick one or more songs first (the box on each card)."))
        return redirect("music:library")
    return render(
        request,
        "music/playlist_add.html",
        {"songs": songs, "playlists": playlists.team_playlists(request.team), "form": form},
    )


@editor_required
def playlist_delete(request, playlist_id):
    """GET asks; POST deletes the playlist (never its songs)."""
    playlist = playlists.get_playlist(request.team, playlist_id)
    if request.method == "POST":
        playlist.delete()
        messages.success(request, _("Playlist “%(name)s” deleted.") % {"name": playlist})
        return redirect("music:playlists")
    return render(request, "music/playlist_delete.html", {"playlist": playlist})


@require_GET
@team_required
def playlist_zip(request, playlist_id):
    playlist = playlists.get_playlist(request.team, playlist_id)
    name = slugify(playlist.name, allow_unicode=True) or "playlist"
    songs = [item.song for item in playlists.items(playlist)]
    return zip_response(exports.zip_songs(songs, folder=name, numbered=True), f"{name}.zip")
