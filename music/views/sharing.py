"""Share links: a song's share page for its team, and the public page a link opens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from music.forms import ShareLinkForm
from music.services import library, mediatypes, sharing
from music.views.decorators import editor_required, forbidden, team_required, viewer_refusal
from music.views.songs import serve_song_file


@team_required
def share_page(request, song_id):
    """The song's links (everyone in the team sees them) and, for members, a new one."""
    song = library.get_song(request.team, song_id)
    if request.method != "POST":
        return _render_share_page(request, song, ShareLinkForm())
    if not request.membership.can_spend:
        return forbidden(request, viewer_refusal())
    form = ShareLinkForm(request.POST)
    if not sharing.can_share(song):
        form.add_error(None, _("Only a finished song with its audio in the studio can be shared."))
    if not form.is_valid():
        return _render_share_page(request, song, form, status=400)
    link = sharing.create_link(song, request.user, form.cleaned_data["expires"])
    messages.success(request, _("Link made: anyone who has it can listen to this song."))
    return redirect(f"{request.path}#link-{link.pk}")


def _render_share_page(request, song, form, status=200):
    return render(
        request,
        "music/share.html",
        {
            "song": song,
            "form": form,
            "links": sharing.song_links(song),
            "can_share": sharing.can_share(song),
        },
        status=status,
    )


@require_POST
@editor_required
def share_revoke(request, song_id, link_id):
    song = library.get_song(request.team, song_id)
    link = sharing.get_team_link(request.team, song, link_id)
    if link is None:
        raise Http404("No such link.")
    sharing.revoke(link, request.user)
    messages.success(request, _("Link turned off: it no longer opens this song."))
    return redirect("music:share", song_id=song.pk)


# --- the public side: the token is the only key, and it opens one song -----------------------
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
    return _private(render(request, "music/shared_song.html", {"link": link, "song": link.song}))


@require_GET
def shared_audio(request, token):
    song = _shared(token).song
    return _private(
        serve_song_file(request, song, "audio_file", (mediatypes.AUDIO, mediatypes.VIDEO))
    )


@require_GET
def shared_cover(request, token):
    song = _shared(token).song
    return _private(serve_song_file(request, song, "image_file", (mediatypes.IMAGE,)))
