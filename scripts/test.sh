#!/usr/bin/env bash
# Every test: lint, the suite on SQLite with the ORM broker, then again on PostgreSQL with
# Redis as the django-q2 broker. Outside CI, a machine without those servers skips only that
# second run (and says so); in CI (CI=true) they are required.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint (ruff)"
$BIN/ruff check .

echo "== tests on SQLite + ORM broker"
env -u DATABASE_URL -u REDIS_URL $BIN/python -m pytest -q "$@"

PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/studio}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
if $BIN/python scripts/services_up.py "$PG_URL" "$REDIS"; then
  echo "== tests on PostgreSQL + Redis broker"
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS $BIN/python -m pytest -q "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL or Redis is unreachable, and CI requires both." >&2
  exit 1
else
  echo "== SKIPPED the PostgreSQL + Redis run: the servers above are unreachable on this machine."
fi
