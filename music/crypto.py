"""Secrets at rest: provider API keys are stored encrypted, never in clear.

STUDIO_ENCRYPTION_KEYS (settings) lists the keys: the first encrypts, all of them decrypt, so
a key is rotated by putting the new one first and keeping the old one after it. An entry that
is not a Fernet key is a passphrase, derived the way the studio always did, and values made
before dedicated keys existed (derived from SECRET_KEY) are still read with the current
SECRET_KEY as the last candidate.
"""

import base64
import functools
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

log = logging.getLogger(__name__)


class KeyUnreadable(Exception):
    """A stored value that none of the current encryption keys can decrypt."""


def _derived(secret):
    digest = hashlib.sha256(f"studio-provider-keys:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _as_key(entry):
    try:
        return Fernet(entry)
    except ValueError:  # not 32 url-safe base64-encoded bytes: a passphrase
        return None


@functools.lru_cache(maxsize=8)
def _fernet(keys, secret_key):
    primary = [_as_key(entry) or _derived(entry) for entry in keys]
    # Before Fernet keys were accepted as they are, every STUDIO_ENCRYPTION_KEY was derived,
    # and with none set, SECRET_KEY was: those derivations may still hold older values.
    legacy = [_derived(entry) for entry in keys if _as_key(entry)] + [_derived(secret_key)]
    return MultiFernet(primary + legacy)


def _current():
    return _fernet(tuple(settings.STUDIO_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value):
    return _current().encrypt(value.encode()).decode() if value else ""


def decrypt(token, *, strict=False):
    """The clear value of `token`; "" for none.

    A token no current key opens raises KeyUnreadable when `strict`, else logs a warning and
    gives "" (what `ProviderAccount.api_key` and so the upstream client get: the provider then
    refuses the request). The UI asks `key_unreadable()` to tell owners to enter the key again.
    """
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        if strict:
            raise KeyUnreadable(
                "The stored value cannot be decrypted with the current encryption keys "
                "(STUDIO_ENCRYPTION_KEY); enter it again, or add the old key after the new one."
            ) from None
        log.warning("A stored provider API key cannot be read with the current encryption keys.")
        return ""


def key_unreadable(account):
    """True when the account has a stored API key that the current keys cannot decrypt."""
    try:
        decrypt(account.api_key_encrypted, strict=True)
    except KeyUnreadable:
        return True
    return False


def reencrypt(token):
    """`token` encrypted again with the first key (after a rotation); KeyUnreadable if lost."""
    if not token:
        return ""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise KeyUnreadable("The stored value cannot be decrypted with the current keys.") from None
