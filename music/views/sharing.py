"""Share links: a song's or a playlist's share page for its team, and the public page a
link opens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from music.forms import ShareLinkForm
from music.services import library, mediatypes, playlists, sharing
from music.views.decorators import editor_required, forbidden, team_required, viewer_refusal
from music.views.songs import serve_song_file


def _share_page(request, target, back_url, can_share, revoke_name, is_playlist):
    """The share page of a song or a playlist: its links, and for members a new one."""
    form = ShareLinkForm()
    status = 200
    if request.method == "POST":
        if not request.membership.can_spend:
            return forbidden(request, viewer_refusal())
        form = ShareLinkForm(request.POST)
        if not can_share:
            form.add_error(
                None, _("Only a finished song with its audio in the studio can be shared.")
            )
        if form.is_valid():
            link = sharing.create_link(target, request.user, form.cleaned_data["expires"])
            messages.success(request, _("Link made: anyone who has it can listen."))
            return redirect(f"{request.path}#link-{link.pk}")
        status = 400
    return render(
        request,
        "music/share.html",
        {
            "target": target,
            "back_url": back_url,
            "form": form,
            "links": sharing.links_of(target),
            "can_share": can_share,
            "revoke_name": revoke_name,
            "is_playlist": is_playlist,
        },
        status=status,
    )


@team_required
def share_page(request, song_id):
    song = library.get_song(request.team, song_id)
    back = reverse("music:song", args=[song.pk])
    return _share_page(
        request, song, back, sharing.can_share(song), "music:share_revoke", is_playlist=False
    )


@team_required
def playlist_share_page(request, playlist_id):
    playlist = playlists.get_playlist(request.team, playlist_id)
    back = reverse("music:playlist", args=[playlist.pk])
    return _share_page(
        request, playlist, back, True, "music:playlist_share_revoke", is_playlist=True
    )


def _revoke(request, target, link_id):
    link = sharing.get_team_link(request.team, target, link_id)
    if link is None:
        raise Http404("No such link.")
    sharing.revoke(link, request.user)
    messages.success(request, _("Link turned off: it no longer opens anything."))


@require_POST
@editor_required
def share_revoke(request, song_id, link_id):
    song = library.get_song(request.team, song_id)
    _revoke(request, song, link_id)
    return redirect("music:share", song_id=song.pk)


@require_POST
@editor_required
def playlist_share_revoke(request, playlist_id, link_id):
    playlist = playlists.get_playlist(request.team, playlist_id)
    _revoke(request, playlist, link_id)
    return redirect("music:playlist_share", playlist_id=playlist.pk)


# --- the public side: the token is the only key, and it opens one song or playlist --------
def _shared(token):
    link = sharing.open_link(token)
    if link is None:
        raise Http404("No such link.")
    return link


def _private(response):
    # The token is the key: browsers must not send it on as a referrer, search engines must
    # not list the page, and shared caches must not keep it.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def shared_song(request, token):
    link = _shared(token)
    if link.playlist_id:
        context = {"link": link, "playlist": link.playlist, "songs": sharing.playlist_songs(link)}
        return _private(render(request, "music/shared_playlist.html", context))
    return _private(render(request, "music/shared_song.html", {"link": link, "song": link.song}))


def _one_song(token, song_id=None):
    link = _shared(token)
    song = sharing.shared_song(link, song_id or link.song_id)
    if song is None:
        raise Http404("Not in this link.")
    return song


@require_GET
def shared_audio(request, token, song_id=None):
    song = _one_song(token, song_id)
    return _private(
        serve_song_file(request, song, "audio_file", (mediatypes.AUDIO, mediatypes.VIDEO))
    )


@require_GET
def shared_cover(request, token, song_id=None):
    song = _one_song(token, song_id)
    return _private(serve_song_file(request, song, "image_file", (mediatypes.IMAGE,)))
