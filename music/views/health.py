"""For load balancers: is this process able to serve (database) and to queue work (broker)?"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker():
    from django_q.brokers import get_broker

    if not get_broker().ping():
        raise RuntimeError("the broker did not answer")


@never_cache
@require_GET
def health(request):
    """200 with {"database": "ok", "broker": "ok"}, or 503 naming what is down (no detail:
    the endpoint is public)."""
    status = {}
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            check()
            status[name] = "ok"
        except Exception:
            log.exception("health check: %s is down", name)
            status[name] = "down"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
