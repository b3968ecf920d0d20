"""gunicorn's settings for the studio (`run_studio` and `make serve` start it with these).

Sync workers: every view is short (media is streamed by sendfile or in chunks), and a
worker per core is what this app's CPU-bound template rendering wants. Environment:
WEB_WORKERS (default 2), WEB_TIMEOUT (seconds a request may take, default 60).
"""

import os

wsgi_app = "studio.wsgi:application"
workers = int(os.environ.get("WEB_WORKERS", "2"))
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
