"""Secrets at rest: provider API keys are stored encrypted, never in clear."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet():
    # A dedicated key may be set; otherwise one is derived from SECRET_KEY, so rotating
    # SECRET_KEY without setting STUDIO_ENCRYPTION_KEY means re-entering provider keys.
    secret = settings.STUDIO_ENCRYPTION_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"studio-provider-keys:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value):
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""  # the encryption key changed: the key must be entered again
