"""A team's provider accounts: choosing, saving and checking them."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from music import crypto, upstream
from music.models import ProviderAccount
from music.upstream.base import UpstreamError


def team_accounts(team):
    return list(ProviderAccount.objects.filter(team=team).order_by("-is_default", "name"))


def with_key_status(accounts):
    """The accounts, each marked `key_unreadable` when its stored key is lost (for the page)."""
    for account in accounts:
        account.key_unreadable = crypto.key_unreadable(account)
    return accounts


def unreadable_key_message():
    return _("The stored API key cannot be read with the current encryption keys; enter it again.")


@transaction.atomic
def reencrypt_keys():
    """Encrypt every stored API key again with the first encryption key, after a rotation.

    Returns (re-encrypted, unreadable) counts; unreadable keys are left as they are.
    """
    done = unreadable = 0
    for account in ProviderAccount.objects.select_for_update().exclude(api_key_encrypted=""):
        try:
            token = crypto.reencrypt(account.api_key_encrypted)
        except crypto.KeyUnreadable:
            unreadable += 1
            continue
        ProviderAccount.objects.filter(pk=account.pk).update(api_key_encrypted=token)
        done += 1
    return done, unreadable


def get_account(team, account_id):
    return get_object_or_404(ProviderAccount, team=team, pk=account_id)


@transaction.atomic
def save(account):
    """Save an account, keeping exactly one default per team."""
    if account.is_default:
        ProviderAccount.objects.filter(team=account.team, is_default=True).exclude(
            pk=account.pk
        ).update(is_default=False)
    elif not ProviderAccount.objects.filter(team=account.team).exclude(pk=account.pk).exists():
        account.is_default = True  # a team's only account is its default
    account.save()
    return account


@transaction.atomic
def make_default(account):
    ProviderAccount.objects.filter(team=account.team).update(is_default=False)
    account.is_default = True
    account.save(update_fields=["is_default"])


def test_connection(account):
    """(ok, message): one cheap authenticated call, explained in plain words."""
    if account.format != "simulator" and crypto.key_unreadable(account):
        return False, unreadable_key_message()
    try:
        upstream.get_provider(account, timeout=10).check()
    except UpstreamError as exc:
        if exc.status in (401, 403):
            return False, _(
                "The provider refused the API key (HTTP %(status)s). Check the key "
                "and that the account has credit."
            ) % {"status": exc.status}
        if exc.code == "unreachable":
            return False, _(
                "Could not reach %(url)s. Check the base URL and that this server can reach it."
            ) % {"url": upstream.base_url(account)}
        if exc.code == "timeout":
            return False, _("%(url)s did not answer in time.") % {"url": upstream.base_url(account)}
        if exc.code == "malformed" or exc.status in (404, 405):
            return False, _(
                "%(url)s answered, but not in the %(format)s format. Check the "
                "format and the base URL (without a path such as /suno)."
            ) % {"url": upstream.base_url(account), "format": account.get_format_display()}
        return False, _("The provider answered with an error: %(reason)s") % {"reason": exc.message}
    return True, _("Connected: the provider accepted the key and answered in the expected format.")
