"""The 500 page: rendered from the template alone (no database, no context processors), and
a plain page if even that fails, so an error never turns into a worse one."""

import logging

from django.http import HttpResponseServerError
from django.template import loader

from music.services import preferences

logger = logging.getLogger(__name__)

PLAIN = (
    "<!doctype html><title>Server error</title><h1>Server error (500)</h1>"
    "<p>The studio could not show this page. Try again in a moment.</p>"
)


def server_error(request, template_name="500.html"):
    try:
        html = loader.get_template(template_name).render({"theme": preferences.theme(request)})
    except Exception:
        logger.exception("the 500 page itself failed to render")
        html = PLAIN
    return HttpResponseServerError(html)
