"""The trash: members move songs there and back; owners empty it (after a confirmation)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from music.models import Role
from music.services import library, trash
from music.views.decorators import editor_required, forbidden, team_required


@require_POST
@editor_required
def song_trash(request, song_id):
    song = library.get_song(request.team, song_id)
    try:
        trash.trash(song, request.user)
    except trash.CannotTrash:
        messages.error(request, _("A song being made cannot go to the trash yet."))
        return redirect("music:song", song_id=song.pk)
    messages.success(
        request,
        _("“%(title)s” is in the trash. Restore it from the trash within %(days)s days.")
        % {"title": song, "days": int(settings.STUDIO_TRASH_DAYS)},
    )
    return redirect("music:library")


@require_POST
@editor_required
def song_restore(request, song_id):
    song = library.get_song(request.team, song_id)
    trash.restore(song, request.user)
    messages.success(request, _("“%(title)s” is back in the library.") % {"title": song})
    return redirect("music:song", song_id=song.pk)


@team_required
def trash_page(request):
    page = library.paginate(
        trash.trashed_songs(request.team), request.GET.get("page"), library.SONGS_PER_PAGE
    )
    return render(
        request,
        "music/trash.html",
        {"page": page, "days": int(settings.STUDIO_TRASH_DAYS)},
    )


@team_required
def trash_empty(request):
    """GET asks "delete these for good?"; the owner's POST does it."""
    if request.membership.role != Role.OWNER:
        return forbidden(request, _("Only the team's owners can empty the trash."))
    count = trash.trashed_songs(request.team).count()
    if request.method == "POST":
        deleted = trash.empty(request.team)
        messages.success(
            request,
            ngettext(
                "%(count)s song deleted for good.", "%(count)s songs deleted for good.", deleted
            )
            % {"count": deleted},
        )
        return redirect("music:trash")
    return render(request, "music/trash_empty.html", {"count": count})
