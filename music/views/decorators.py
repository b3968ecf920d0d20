from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from music.services.teams import current_membership


def team_required(view):
    """Signed in and in a team; the view gets `request.membership` resolved."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = current_membership(request)
        if membership is None:
            return render(request, "music/no_team.html", status=403)
        request.membership = membership  # the real object from here on, not the lazy one
        request.team = membership.team
        return view(request, *args, **kwargs)

    return wrapper


def spender_required(view):
    """Only owners and members may send paid work; viewers get a clear refusal."""

    @team_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_spend:
            return render(
                request,
                "music/forbidden.html",
                {
                    "reason": _(
                        "Viewers can listen and download, but cannot make songs. Ask a team "
                        "owner to make you a member."
                    ),
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request, reason):
    return render(request, "music/forbidden.html", {"reason": reason}, status=403)


def viewer_refusal():
    return _(
        "Viewers can listen, download and open share links, but cannot change songs or share "
        "them. Ask a team owner to make you a member."
    )


def editor_required(view):
    """Only owners and members may change a song or share it (no money is involved)."""

    @team_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_spend:
            return forbidden(request, viewer_refusal())
        return view(request, *args, **kwargs)

    return wrapper


def confirmation(request, *, question, consequence, button, cancel_url):
    """“Are you sure?” as a page: what a destructive action's GET shows (scripts ask in a
    <dialog> instead and post straight away); its POST does it."""
    return render(
        request,
        "music/confirm.html",
        {
            "question": question,
            "consequence": consequence,
            "button": button,
            "cancel_url": cancel_url,
        },
    )
