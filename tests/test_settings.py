"""Deployment settings: HTTPS from one switch, and no secret published in the code."""

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from studio.keyfile import kept_secret

PRINT_SECRETS = (
    "from django.conf import settings as s; "
    "print(s.SECRET_KEY); print(','.join(s.STUDIO_ENCRYPTION_KEYS))"
)
PRINT_HTTPS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE); "
    "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
)


def manage(tmp_path, *args, **env):
    """Run manage.py in a fresh process with only the given studio settings in its environment."""
    # Nothing else from this process: other tests set variables (DJANGO_ALLOW_ASYNC_UNSAFE for
    # the browser) that the deploy check rightly refuses.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    clean.update(STUDIO_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_https_and_a_real_key(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        STUDIO_HTTPS="true",
        SECRET_KEY="k3y-" + "x7Qp!9zR#v2LmT8wYc4N" * 3,
        ALLOWED_HOSTS="studio.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_secrets_set_the_studio_makes_and_keeps_its_own(tmp_path):
    first = manage(tmp_path, "shell", "--no-imports", "-c", PRINT_SECRETS)
    assert first.returncode == 0, first.stderr
    secret_key, encryption_keys = first.stdout.splitlines()
    assert len(secret_key) >= 50
    assert "insecure" not in secret_key
    assert len(encryption_keys.split(",")) == 1
    var = tmp_path / "var"
    for name, value in [("secret_key", secret_key), ("encryption_keys", encryption_keys)]:
        assert (var / name).read_text().strip() == value
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600
    again = manage(tmp_path, "shell", "--no-imports", "-c", PRINT_SECRETS)
    assert again.stdout.splitlines() == [secret_key, encryption_keys]


def test_secrets_from_the_environment_are_used_and_nothing_is_kept(tmp_path):
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_SECRETS,
        SECRET_KEY="from-the-environment-" * 3,
        STUDIO_ENCRYPTION_KEY="new-key, old-key",
    )
    assert result.stdout.splitlines() == ["from-the-environment-" * 3, "new-key,old-key"]
    assert not (tmp_path / "var" / "secret_key").exists()
    assert not (tmp_path / "var" / "encryption_keys").exists()


def test_https_is_off_by_default_for_make_run(tmp_path):
    result = manage(tmp_path, "shell", "--no-imports", "-c", PRINT_HTTPS)
    assert result.stdout.splitlines() == ["False 0 False False False", "None"]


def test_the_https_switch_turns_on_redirect_hsts_and_secure_cookies(tmp_path):
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_HTTPS,
        STUDIO_HTTPS="true",
        SECURE_HSTS_SECONDS="600",
        STUDIO_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True 600 True True True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]


def test_kept_secret_is_made_once_and_private(tmp_path):
    (tmp_path / "var").mkdir()
    path = tmp_path / "var" / "secret_key"
    made = kept_secret(path, lambda: "first-value", setting="SECRET_KEY")
    assert made == "first-value"
    assert kept_secret(path, lambda: "second-value", setting="SECRET_KEY") == "first-value"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left


def test_a_secret_that_cannot_be_kept_refuses_to_start(tmp_path):
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("a file where the data folder should be")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        kept_secret(not_a_folder / "secret_key", lambda: "value", setting="SECRET_KEY")


def test_an_emptied_secret_file_refuses_to_start(tmp_path):
    (tmp_path / "encryption_keys").write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="STUDIO_ENCRYPTION_KEY"):
        kept_secret(tmp_path / "encryption_keys", lambda: "v", setting="STUDIO_ENCRYPTION_KEY")


PRINT_MEDIA = (
    "from urllib.parse import urlsplit; "
    "from django.conf import settings as s; "
    "from django.core.files.storage import default_storage; "
    "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
    "print(d['media-src'], d['img-src'], d['connect-src']); "
    "u = urlsplit(default_storage.url('teams/1/songs/x/audio.mp3')); "
    "print(f'{u.scheme}://{u.netloc}')"
)


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        (
            {"STUDIO_S3_BUCKET": "studio-media", "STUDIO_S3_REGION": "eu-central-1"},
            "https://studio-media.s3.eu-central-1.amazonaws.com",
        ),
        (
            {"STUDIO_S3_BUCKET": "media", "STUDIO_S3_ENDPOINT_URL": "https://minio.example.com"},
            "https://minio.example.com",
        ),
        (
            # A dotted name cannot be a TLS host name: botocore keeps it in the path.
            {
                "STUDIO_S3_BUCKET": "media.example.com",
                "STUDIO_S3_ENDPOINT_URL": "https://objects.example.com:9000",
                "STUDIO_S3_ADDRESSING_STYLE": "virtual",
            },
            "https://objects.example.com:9000",
        ),
    ],
)
def test_the_csp_lets_pages_load_media_from_where_signed_urls_point(tmp_path, env, origin):
    result = manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        PRINT_MEDIA,
        STUDIO_MEDIA_STORAGE="s3",
        STUDIO_S3_ACCESS_KEY_ID="key-id",
        STUDIO_S3_SECRET_ACCESS_KEY="secret",
        **env,
    )
    assert result.returncode == 0, result.stderr
    directives, signed_origin = result.stdout.strip().splitlines()
    assert signed_origin == origin  # what django-storages really signs
    assert directives.count(f"'{origin}'") == 3


def test_local_media_needs_no_other_origin_and_s3_needs_a_bucket(tmp_path):
    result = manage(tmp_path, "shell", "--no-imports", "-c", PRINT_MEDIA)
    assert result.returncode == 0, result.stderr
    self_only, with_data = ["'self'"], ["'self'", "data:"]
    # blob: for media: the upload page reads a chosen file's length in the browser.
    with_blob = ["'self'", "blob:"]
    assert result.stdout.splitlines()[0] == f"{with_blob} {with_data} {self_only}"

    result = manage(tmp_path, "check", STUDIO_MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "STUDIO_MEDIA_STORAGE=s3 needs STUDIO_S3_BUCKET" in result.stderr
