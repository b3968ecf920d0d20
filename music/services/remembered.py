"""Query results remembered per team version, in this process.

A team's version (music_teamactivity, kept by database triggers) changes with every visible
change to its songs and tasks, so a list read under version v is still right while the
version is v: a page that polls every few seconds asks the database once per change, not
once per look. Read the version before the data (as the pages do): data read after it is
never older than it. Bounded, and per process, so several processes never share a stale
answer.
"""

import threading
from collections import OrderedDict

from django.db import connection

REMEMBERED = 512

_values = OrderedDict()
_lock = threading.Lock()


def remembered(team_id, version, key, compute):
    """compute(), or what it answered for the same team, version and key.

    Not inside a transaction on PostgreSQL: there the version moves at commit (deferred
    triggers), so a transaction's own writes are not in the version it reads."""
    if not version or (connection.vendor != "sqlite" and connection.in_atomic_block):
        return compute()
    full_key = (team_id, version, *key)
    with _lock:
        if full_key in _values:
            _values.move_to_end(full_key)
            return _values[full_key]
    value = compute()
    with _lock:
        _values[full_key] = value
        while len(_values) > REMEMBERED:
            _values.popitem(last=False)
    return value


def forget():
    """Forget everything (a test's rolled-back database reuses team ids and versions)."""
    with _lock:
        _values.clear()
