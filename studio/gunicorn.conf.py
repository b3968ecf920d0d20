"""gunicorn's settings for the studio (`run_studio` and `make serve` start it with these).

A worker process per core (template rendering is CPU-bound), each serving its connections
from a few threads (gthread): under bench/serving.py's 8 kept-open connections the library
page measured 154 req/s against 116 with sync workers, same CPU per request (sync workers
take one connection at a time), and a long download or ZIP holds a thread, not a worker.
Environment: WEB_WORKERS (default 2), WEB_THREADS (default 4), WEB_TIMEOUT (seconds a
request may take, default 60).
"""

import os

wsgi_app = "studio.wsgi:application"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 15
keepalive = 5
# Behind a proxy, the proxy sets X-Forwarded-*; Django reads them (STUDIO_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# The callback URL's secret must not reach the access log: our filter redacts it.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"callback_secrets": {"()": "music.log_filters.RedactCallbackSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["callback_secrets"],
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
