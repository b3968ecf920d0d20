"""One poll pass per provider account at a time, across processes and machines.

A pass takes the account's lease row with one conditional UPDATE (free, expired, or already
ours), and gives it back when done. A holder that died frees it when the lease runs out.
"""

import contextlib
import os
import socket
import threading
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from music.models import PollLease
from music.services.tasks import timing

BUILTIN = "builtin"  # the operator's built-in provider (account None)
_process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder():
    """This thread of this process, so two threads of one poller exclude each other too."""
    return f"{_process}:{threading.get_ident()}"[:100]


def key_of(account_id):
    return str(account_id) if account_id is not None else BUILTIN


def take(key, now=None):
    """Take the account's lease; False when another pass holds it."""
    now = now or timezone.now()
    me = holder()
    free = Q(until__isnull=True) | Q(until__lte=now) | Q(holder=me)
    taken = PollLease.objects.filter(free, key=key).update(
        holder=me, until=now + timing.poll_lease()
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            PollLease.objects.create(key=key, holder=me, until=now + timing.poll_lease())
        return True
    except IntegrityError:
        return False  # the row exists and someone else holds it


def give_back(key):
    PollLease.objects.filter(key=key, holder=holder()).update(until=None, holder="")


@contextlib.contextmanager
def held(key):
    """`with held(key) as ok:` runs the body holding the lease when ok is True."""
    ok = take(key)
    try:
        yield ok
    finally:
        if ok:
            give_back(key)
