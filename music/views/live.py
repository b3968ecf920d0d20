"""Live regions that poll cheaply: a refresh that finds nothing changed answers 204.

A live region (the library's results, the tasks list, a song's hero and in-flight list) is
rendered with its refresh URL carrying a stamp: a hash of the team's change counter (kept by
database triggers on every write to songs and tasks, see migration 0008), who asks, in which
language and role, the URL's own filters and page, and the current minute (so "3 minutes ago"
moves on). When a refresh carries the stamp the page would be rendered with now, nothing it
shows can have changed, and the answer is 204 without a body, which htmx does not swap (an
<audio> playing in the region keeps playing). No ETag or 304: a browser answers an XHR's 304
from its cache as a 200 with the old body, which htmx would swap.
"""

import hashlib
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from music.services import library
from music.services.teams import SESSION_KEY

STAMP = "v"
# Seconds between refreshes while work is in flight; nothing polls when nothing is.
REFRESH_SECONDS = 1


def minute():
    return int(time.time() // 60)


def _stamp(team_id, role, version, user_id, path, params):
    key = repr(
        (
            team_id,
            version,
            user_id,
            role,
            translation.get_language(),
            path,
            sorted(params),
            minute(),
        )
    )
    # Keyed: a stamp is only ever one the studio rendered.
    secret = hashlib.blake2b(settings.SECRET_KEY.encode()).digest()
    return hashlib.blake2b(key.encode(), key=secret, digest_size=8).hexdigest()


def stamp(request, version, path, params):
    """The stamp of what `request` would be shown now at `path` with the query `params`."""
    return _stamp(request.team.pk, request.membership.role, version, request.user.pk, path, params)


def request_params(request):
    """The request's query as pairs, without the stamp."""
    return [(k, v) for k, values in request.GET.lists() if k != STAMP for v in values]


def refreshable(view):
    """Answer an htmx refresh whose stamp is still current with 204, in one query after the
    session's, before the view's team lookup and queries; anything else goes to the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        sent = request.GET.get(STAMP)
        if sent and request.htmx and request.user.is_authenticated:
            found = library.live_membership(request.user.pk, request.session.get(SESSION_KEY))
            if found:
                team_id, role, version = found
                params = request_params(request)
                if sent == _stamp(team_id, role, version, request.user.pk, request.path, params):
                    return HttpResponse(status=204)
        return view(request, *args, **kwargs)

    return wrapper


def refresh_url(request, version, path, params=()):
    """The URL a live region polls: `path` and its query `params`, plus the current stamp."""
    params = [(k, str(v)) for k, v in params]
    query = urlencode([*params, (STAMP, stamp(request, version, path, params))])
    return f"{path}?{query}"
