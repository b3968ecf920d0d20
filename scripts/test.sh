#!/usr/bin/env bash
# Every test: lint, the suite on SQLite with the ORM broker, then again on PostgreSQL with
# Redis as the django-q2 broker. Outside CI, a machine without those servers skips only that
# second run (and says so); in CI (CI=true) they are required.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# The browser tests drive Debian's Chromium (no browser can be downloaded here).
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
    >/dev/null) || echo "   could not install chromium"
fi
if [ "${CI:-}" = "true" ]; then
  export STUDIO_REQUIRE_BROWSER=1
elif [ ! -x "$CHROMIUM" ]; then
  echo "== NOTE: no Chromium at $CHROMIUM, so the browser tests will be skipped" \
    "(install Debian's chromium package, or set CHROMIUM_PATH)."
fi

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
