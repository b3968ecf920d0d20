from django.utils.functional import SimpleLazyObject

from music.services.teams import current_membership


class CurrentTeamMiddleware:
    """Give every request `request.membership`: the signed-in user's current team."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        return self.get_response(request)
