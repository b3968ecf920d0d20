from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.functional import SimpleLazyObject
from django_htmx.middleware import HtmxDetails

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


class PageHtmxDetails(HtmxDetails):
    """`request.htmx` that is true only for an inner swap (a live refresh, a form's partial).

    Moving between pages is an htmx request too (HX-Boosted, or HX-History-Restore-Request
    on back/forward), and it wants the whole page: every view's `if request.htmx:` partial
    branch stays right without knowing about navigation.
    """

    def __bool__(self):
        return super().__bool__() and not (self.boosted or self.history_restore_request)


class PageNavigationMiddleware:
    """Give views `PageHtmxDetails` (after django-htmx's middleware), and answer a boosted
    request for something that is not a page (a download, a file) with HX-Redirect before
    any of it is sent: the browser then fetches it itself, as a plain link would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = PageHtmxDetails(request)
        response = self.get_response(request)
        if request.htmx.boosted and request.method == "GET" and not _is_page(response):
            # Not response.close(): that also signals the request's end (Django then closes
            # the database connection under the session middleware still to run). The
            # unread file is released with the response object.
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = request.get_full_path()
            return redirect
        return response


def _is_page(response):
    if response.status_code in (204, 304) or 300 <= response.status_code < 400:
        return True
    return response.get("Content-Type", "").startswith("text/html")
