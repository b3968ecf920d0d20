"""Secrets the studio makes itself on first start and keeps in its data folder (VAR_DIR).

So `make run` needs no set-up and nothing secret is published in the code: a deployment that
does not set SECRET_KEY or STUDIO_ENCRYPTION_KEY gets random ones, the same on every start.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def kept_secret(path, generate, *, setting):
    """The text kept at `path`, written there from `generate()` (mode 0600) the first time.

    Refuses to start (ImproperlyConfigured naming `setting`) rather than run with a key that
    would change on the next start: sessions and stored provider keys would be lost.
    """
    path = Path(path)
    try:
        if not path.exists():
            _create(path, generate())
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{setting} is not set, and the studio could not keep a generated one in {path} "
            f"({exc.strerror or exc}). Set {setting} in the environment, or make "
            f"{path.parent} writable."
        ) from exc
    if not value:
        raise ImproperlyConfigured(
            f"{setting} is not set, and {path} is empty. Set {setting} in the environment, "
            "or delete the file to have a new one generated."
        )
    return value


def _create(path, value):
    # Written in full to a private temporary file, then linked into place: a second process
    # starting at the same moment either sees no file or the complete one, and link() never
    # replaces a key another process already kept.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process kept its key first
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
