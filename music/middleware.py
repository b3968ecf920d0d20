from django.middleware.gzip import GZipMiddleware
from django.utils.functional import SimpleLazyObject

from music.services.teams import current_membership


class CurrentTeamMiddleware:
    """Give every request `request.membership`: the signed-in user's current team."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        return self.get_response(request)


COMPRESSED_TYPES = ("text/", "application/json", "application/javascript")


class CompressTextMiddleware(GZipMiddleware):
    """gzip for pages and JSON (Django's, with its BREACH mitigation), never for media: audio
    does not shrink, and a compressed body breaks byte ranges."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
