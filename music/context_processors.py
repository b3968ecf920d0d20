from music.services import preferences
from music.services.teams import request_memberships


def theme(request):
    return {"theme": preferences.theme(request)}


def studio(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    membership = request.membership
    return {
        "membership": membership if membership else None,
        "current_team": membership.team if membership else None,
        "all_memberships": request_memberships(request),
    }
