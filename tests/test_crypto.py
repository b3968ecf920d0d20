"""Provider API keys at rest: rotation, older derivations, and keys that cannot be read."""

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from music import crypto
from music.models import ProviderAccount

NEW, OLD = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def legacy_token(secret, value):
    """A value encrypted the way the studio did before dedicated keys (crypto.py, 2025)."""
    digest = hashlib.sha256(f"studio-provider-keys:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest)).encrypt(value.encode()).decode()


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    settings.STUDIO_ENCRYPTION_KEYS = [OLD]
    token = crypto.encrypt("sk-1234")
    settings.STUDIO_ENCRYPTION_KEYS = [NEW, OLD]  # rotated: the new key first, the old after
    assert crypto.decrypt(token) == "sk-1234"
    fresh = crypto.encrypt("sk-5678")
    assert Fernet(NEW).decrypt(fresh.encode()) == b"sk-5678"
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(fresh) == "sk-5678"


def test_values_from_the_secret_key_derivation_are_still_read(settings):
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(legacy_token(settings.SECRET_KEY, "sk-old")) == "sk-old"


def test_a_passphrase_encryption_key_is_derived_as_before(settings):
    settings.STUDIO_ENCRYPTION_KEYS = ["my old passphrase"]
    token = legacy_token("my old passphrase", "sk-pass")
    assert crypto.decrypt(token) == "sk-pass"
    assert crypto.decrypt(crypto.encrypt("sk-again")) == "sk-again"


def test_a_value_no_key_opens_is_reported_not_silently_blank(settings, caplog):
    settings.STUDIO_ENCRYPTION_KEYS = [OLD]
    token = crypto.encrypt("sk-lost")
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(crypto.KeyUnreadable):
        crypto.decrypt(token, strict=True)
    assert crypto.decrypt(token) == ""  # what the upstream client gets: the provider refuses
    assert "cannot be read" in caplog.text
    assert "sk-lost" not in caplog.text
    assert crypto.key_unreadable(ProviderAccount(api_key_encrypted=token))
    assert not crypto.key_unreadable(ProviderAccount(api_key_encrypted=""))


def test_reencrypting_after_a_rotation_lets_the_old_key_go(settings, team):
    settings.STUDIO_ENCRYPTION_KEYS = [OLD]
    account = ProviderAccount(team=team, name="Relay", format="relay", base_url="http://x.test")
    account.set_api_key("sk-rotate-me")
    account.save()
    lost = ProviderAccount(team=team, name="Lost", format="relay", base_url="http://y.test")
    lost.api_key_encrypted = Fernet(Fernet.generate_key()).encrypt(b"sk-gone").decode()
    lost.save()

    settings.STUDIO_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("reencrypt_provider_keys")
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    account.refresh_from_db()
    assert account.api_key == "sk-rotate-me"
    lost.refresh_from_db()
    assert crypto.key_unreadable(lost)  # left as it was, for its owner to enter again
