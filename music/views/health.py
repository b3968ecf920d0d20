"""For load balancers: is this process able to serve (database) and to queue work (broker)?
With media in a bucket, can it reach the bucket (storage)?"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from music.services import storage

log = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker():
    from django_q.brokers import get_broker

    if not get_broker().ping():
        raise RuntimeError("the broker did not answer")


def check_storage():
    # One HEAD of the bucket: cheap, and it fails on wrong keys or a missing bucket too.
    storage.check_bucket()


@never_cache
@require_GET
def health(request):
    """200 with {"database": "ok", "broker": "ok"} (and "storage" with media in a bucket),
    or 503 naming what is down (no detail: the endpoint is public)."""
    status = {}
    checks = [("database", check_database), ("broker", check_broker)]
    if storage.is_object_storage():  # local disk is the process's own: nothing to ask
        checks.append(("storage", check_storage))
    for name, check in checks:
        try:
            check()
            status[name] = "ok"
        except Exception:
            log.exception("health check: %s is down", name)
            status[name] = "down"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)
