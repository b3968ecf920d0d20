"""Settings for the studio, read from environment variables with safe defaults.

The defaults run everything embedded: SQLite, django-q2's ORM broker and the built-in
upstream simulator. Point DATABASE_URL, REDIS_URL and SUNO_BASE_URL/SUNO_API_KEY elsewhere
for a real deployment.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from studio.keyfile import kept_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STUDIO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database, media and simulator state


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("STUDIO_TESTING")
DEBUG = env_bool("DEBUG", default=False)
# No key is published in the code: without SECRET_KEY the studio makes a random one on first
# start and keeps it in VAR_DIR, so sessions survive restarts and `make run` needs no set-up.
SECRET_KEY = os.environ.get("SECRET_KEY") or kept_secret(
    VAR_DIR / "secret_key", get_random_secret_key, setting="SECRET_KEY"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "template_partials",
    "csp",
    "axes",
    "music",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON only: media is sent as it is stored, ranges and all.
    "music.middleware.CompressTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Boosted navigation gets whole pages; a boosted link to a file is sent to the browser.
    "music.middleware.PageNavigationMiddleware",
    "csp.middleware.CSPMiddleware",
    "music.middleware.CurrentTeamMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "music.context_processors.studio",
                "music.context_processors.theme",
            ],
        },
    },
]

_DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # Reusing connections is safe with gunicorn's fixed worker threads (one connection
        # per thread, kept) and measured faster: on PostgreSQL +44-83% req/s; on SQLite it
        # saves the open and the PRAGMAs of every request (an unchanged live refresh:
        # 2.2 -> 1.4 ms of CPU, bench/pages.py).
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the queue workers share one SQLite file; WAL and a busy timeout
    # let them write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "music:library"
LOGOUT_REDIRECT_URL = "login"

# --- Login throttling (django-axes), on the studio's sign-in and the admin's -------------
# After STUDIO_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is locked for STUDIO_LOGIN_COOLOFF_MINUTES, even with the right password; an admin
# unlocks sooner in Django admin (Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("STUDIO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("STUDIO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a right password before the limit forgets the earlier typos
AXES_LOCKOUT_CALLABLE = "music.views.auth.locked_out"
AXES_VERBOSE = False  # no start-up banner in every command; lockouts are logged either way

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))


# --- Media storage ----------------------------------------------------------------------
# Local files under MEDIA_ROOT by default; STUDIO_MEDIA_STORAGE=s3 keeps every stored file
# (audio, covers, WAV, MP4, stems, restores) in an S3-compatible bucket through
# django-storages, so any number of web and queue machines share it. The bucket stays
# private: downloads are short-lived signed URLs the studio hands out after its team check.
def s3_origin(bucket, endpoint_url="", region="", addressing_style="path"):
    """The scheme://host[:port] browsers fetch signed media URLs from (for the CSP).

    Asked of botocore itself, with the same inputs django-storages gives it, rather than
    guessed: whether a bucket goes in the host or the path depends on its name, the scheme,
    the endpoint and the region. Signing needs no network, and these keys sign nothing real.
    """
    from urllib.parse import urlsplit

    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or None,
        aws_access_key_id="origin-only",
        aws_secret_access_key="origin-only",
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style}),
    )
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def s3_media_storage(
    bucket,
    *,
    endpoint_url="",
    region="",
    access_key="",
    secret_key="",
    addressing_style="path",
    prefix="",
    url_seconds=3600,
):
    """The STORAGES entry for media in an S3-compatible bucket (django-storages)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "addressing_style": addressing_style,
            "signature_version": "s3v4",
            "location": prefix.strip().strip("/"),
            "querystring_auth": True,  # never an unsigned URL: the bucket is private
            "querystring_expire": url_seconds,
            "default_acl": None,  # the bucket's own policy (private) applies
            # Any URL of an object without our response overrides (an admin's file link)
            # downloads it rather than showing it in the browser.
            "object_parameters": {"ContentDisposition": "attachment"},
            # As on local disk, a name is never reused: a second file gets a new name, so a
            # signed URL handed out earlier never starts serving other bytes.
            "file_overwrite": False,
            # Reading a stored file (backups) spools to disk past this, never all in memory.
            "max_memory_size": 4 * 1024 * 1024,
        },
    }


STUDIO_MEDIA_STORAGE = os.environ.get("STUDIO_MEDIA_STORAGE", "local").strip().lower()
if STUDIO_MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("STUDIO_MEDIA_STORAGE must be 'local' or 's3'")
STUDIO_S3_BUCKET = os.environ.get("STUDIO_S3_BUCKET", "").strip()
STUDIO_S3_ENDPOINT_URL = os.environ.get("STUDIO_S3_ENDPOINT_URL", "").strip().rstrip("/")
STUDIO_S3_REGION = os.environ.get("STUDIO_S3_REGION", "").strip()
# An endpoint of one's own (MinIO, Ceph, Garage...) most often wants path-style requests;
# AWS wants virtual-hosted ones (botocore falls back to paths for names that cannot be hosts).
STUDIO_S3_ADDRESSING_STYLE = os.environ.get(
    "STUDIO_S3_ADDRESSING_STYLE", "path" if STUDIO_S3_ENDPOINT_URL else "virtual"
).strip()
# How long a signed download URL works. It is the only key to a private object: a link
# copied out of a browser works for this long, and no longer.
STUDIO_S3_URL_SECONDS = int(os.environ.get("STUDIO_S3_URL_SECONDS", "3600"))
STUDIO_MEDIA_ORIGIN = ""  # where browsers load media from, when it is not the studio itself
if STUDIO_MEDIA_STORAGE == "s3":
    if not STUDIO_S3_BUCKET:
        raise ImproperlyConfigured("STUDIO_MEDIA_STORAGE=s3 needs STUDIO_S3_BUCKET")
    if STUDIO_S3_ADDRESSING_STYLE not in ("path", "virtual"):
        raise ImproperlyConfigured("STUDIO_S3_ADDRESSING_STYLE must be 'path' or 'virtual'")
    STUDIO_MEDIA_ORIGIN = s3_origin(
        STUDIO_S3_BUCKET, STUDIO_S3_ENDPOINT_URL, STUDIO_S3_REGION, STUDIO_S3_ADDRESSING_STYLE
    )
    _media_storage = s3_media_storage(
        STUDIO_S3_BUCKET,
        endpoint_url=STUDIO_S3_ENDPOINT_URL,
        region=STUDIO_S3_REGION,
        # Unset: boto3 finds credentials itself (AWS_* variables, an instance role).
        access_key=os.environ.get("STUDIO_S3_ACCESS_KEY_ID", ""),
        secret_key=os.environ.get("STUDIO_S3_SECRET_ACCESS_KEY", ""),
        addressing_style=STUDIO_S3_ADDRESSING_STYLE,
        prefix=os.environ.get("STUDIO_S3_PREFIX", ""),
        url_seconds=STUDIO_S3_URL_SECONDS,
    )
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- HTTPS ------------------------------------------------------------------------------
# One switch for a studio served over HTTPS: redirect plain HTTP, tell browsers to use HTTPS
# only (HSTS), and never send the session or CSRF cookie in clear. Off by default, because
# `make run` serves plain http://127.0.0.1 and HSTS would stick in the browser.
STUDIO_HTTPS = env_bool("STUDIO_HTTPS")
SECURE_SSL_REDIRECT = STUDIO_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if STUDIO_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = STUDIO_HTTPS and env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
# Only allows submitting the domain to browsers' preload lists (hstspreload.org); that step
# stays the operator's. SECURE_HSTS_PRELOAD=false leaves the directive out.
SECURE_HSTS_PRELOAD = STUDIO_HTTPS and env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = STUDIO_HTTPS
CSRF_COOKIE_SECURE = STUDIO_HTTPS
# Behind a TLS-terminating proxy, the header it sets to say the request came over HTTPS, e.g.
# "X-Forwarded-Proto". Only set it when the proxy always sets (or strips) that header itself,
# otherwise a client could claim HTTPS.
STUDIO_PROXY_SSL_HEADER = os.environ.get("STUDIO_PROXY_SSL_HEADER", "").strip()
if STUDIO_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + STUDIO_PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )

# Every asset is vendored under static/, so the policy can forbid all other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        # Media on object storage is loaded from signed URLs on the bucket's origin (the
        # waveform widget fetches audio when it has no peaks, hence connect-src too).
        "img-src": [SELF, "data:", *filter(None, [STUDIO_MEDIA_ORIGIN])],
        # blob: the upload page reads a chosen file's length in the browser, before sending.
        "media-src": [SELF, "blob:", *filter(None, [STUDIO_MEDIA_ORIGIN])],
        "connect-src": [SELF, *filter(None, [STUDIO_MEDIA_ORIGIN])],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Task queue (django-q2) -------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("Q_CLUSTER_NAME", "studio"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    # A job (a submit, a poll pass, one clip's archive) runs for well under `timeout`;
    # `retry` must exceed `timeout` or the ORM broker hands the same message to a second
    # worker while the first still runs it.
    "timeout": 90,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "label": "Task queue",
    # How often the ORM broker looks for messages when idle (Redis blocks instead). A
    # callback's result takes two hops (refresh, then archive), so this is paid twice on the
    # way to the library; one indexed SELECT per look.
    "poll": float(os.environ.get("Q_POLL", "0.25")),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
if env_bool("Q_SYNC", default=TESTING):
    Q_CLUSTER["sync"] = True

# --- Upstream ---------------------------------------------------------------------------
# With no API key the studio talks to the embedded simulator, in-process.
SUNO_API_KEY = os.environ.get("SUNO_API_KEY", "")
# Keys for provider API keys at rest (music/crypto.py): the first encrypts, every one
# decrypts, so rotating means putting the new key first and keeping the old one after it.
# Without STUDIO_ENCRYPTION_KEY a random key is made on first start and kept in VAR_DIR.
STUDIO_ENCRYPTION_KEYS = env_list("STUDIO_ENCRYPTION_KEY") or [
    key.strip()
    for key in kept_secret(
        VAR_DIR / "encryption_keys",
        lambda: Fernet.generate_key().decode(),
        setting="STUDIO_ENCRYPTION_KEY",
    )
    .replace("\n", ",")
    .split(",")  # the file may list several keys, like the variable
    if key.strip()
]
SUNO_BASE_URL = os.environ.get(
    "SUNO_BASE_URL", "" if not SUNO_API_KEY else "https://api.sunohub.cn"
)
SUNO_TIMEOUT = float(os.environ.get("SUNO_TIMEOUT", "30"))
SUNO_MEDIA_HOSTS = env_list(
    "SUNO_MEDIA_HOSTS", "cdn1.suno.ai,cdn2.suno.ai,cdn.suno.ai,audiopipe.suno.ai"
)
SUNO_FETCH_BATCH_LIMIT = int(os.environ.get("SUNO_FETCH_BATCH_LIMIT", "0"))  # 0: no limit
SUNO_TASK_DEADLINE_MINUTES = float(os.environ.get("SUNO_TASK_DEADLINE_MINUTES", "20"))
# A task failed for want of an answer is still watched this long: a late song still lands.
SUNO_LATE_GRACE_HOURS = float(os.environ.get("SUNO_LATE_GRACE_HOURS", "24"))
SUNO_LATE_POLL_SECONDS = float(os.environ.get("SUNO_LATE_POLL_SECONDS", "300"))
# The longest wait between two looks at a job in flight (`manage.py run_poller` keeps to it).
SUNO_POLL_MAX_SECONDS = float(os.environ.get("SUNO_POLL_MAX_SECONDS", "3"))
SUNO_MAX_MEDIA_BYTES = int(os.environ.get("SUNO_MAX_MEDIA_BYTES", str(80 * 1024 * 1024)))
STUDIO_PUBLIC_URL = os.environ.get("STUDIO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Outbound requests to URLs the studio did not choose (media links, base URLs, uploads,
# callbacks) reach public addresses only (music/upstream/netguard.py). An operator may allow
# named private hosts, e.g. an on-premises gateway: "host" (any port) or "host:port".
STUDIO_ALLOWED_PRIVATE_HOSTS = env_list("STUDIO_ALLOWED_PRIVATE_HOSTS")
# Wall-clock seconds for one whole download (connect, redirects, body), however it trickles.
# Songs in the trash are deleted, files and all, after this many days.
STUDIO_TRASH_DAYS = float(os.environ.get("STUDIO_TRASH_DAYS", "30"))
STUDIO_FETCH_DEADLINE = float(os.environ.get("STUDIO_FETCH_DEADLINE", "120"))
STUDIO_CALLBACKS = env_bool("STUDIO_CALLBACKS", default=True)
# A member's own audio file: at most this large and this long (providers take up to 8 minutes),
# and offered to the provider through a signed link to STUDIO_PUBLIC_URL that works this long.
STUDIO_UPLOAD_MAX_MB = float(os.environ.get("STUDIO_UPLOAD_MAX_MB", "50"))
STUDIO_UPLOAD_MAX_SECONDS = int(os.environ.get("STUDIO_UPLOAD_MAX_SECONDS", "480"))
STUDIO_UPLOAD_LINK_MINUTES = float(os.environ.get("STUDIO_UPLOAD_LINK_MINUTES", "15"))
# The local demo (`make run` sets it): the login page shows the demo login while the demo
# user keeps its default password. Never set it on a studio others can reach.
STUDIO_DEMO = env_bool("STUDIO_DEMO")

SIMULATOR = {
    "state_path": os.environ.get("SIMULATOR_STATE", str(VAR_DIR / "simulator")),
    "queued_seconds": float(os.environ.get("SIMULATOR_QUEUED_SECONDS", "2")),
    "running_seconds": float(os.environ.get("SIMULATOR_RUNNING_SECONDS", "6")),
    "max_duration": float(os.environ.get("SIMULATOR_MAX_DURATION", "150")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"callback_secrets": {"()": "music.log_filters.RedactCallbackSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["callback_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # runserver's access log: through our handler, so callback secrets are redacted.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
