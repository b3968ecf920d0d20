"""Exit 0 when the PostgreSQL and Redis URLs given answer, 1 (with the reason) otherwise."""

import sys

import psycopg
import redis


def main(pg_url, redis_url):
    problems = []
    try:
        dsn = pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not usable here"
        problems.append(f"PostgreSQL at {pg_url}: {exc}".strip())
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        problems.append(f"Redis at {redis_url}: {exc}")
    for problem in problems:
        print(f"   unreachable: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
