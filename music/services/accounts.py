"""A team's provider accounts: choosing, saving and checking them."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from music import crypto, upstream
from music.models import ProviderAccount
from music.services import capabilities
from music.upstream import netguard
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
    """Save an account, keeping at most one default per team. An account becomes the
    default only when asked: without one, new songs go to the built-in provider."""
    if account.is_default:
        ProviderAccount.objects.filter(team=account.team, is_default=True).exclude(
            pk=account.pk
        ).update(is_default=False)
    account.save()
    return account


@transaction.atomic
def make_default(account):
    ProviderAccount.objects.filter(team=account.team).update(is_default=False)
    account.is_default = True
    account.save(update_fields=["is_default"])


def base_url_problem(account):
    """Why the studio may not call this account's base URL, in plain words, or "".

    The key goes with every call, so a base URL on this server's own network (loopback, the
    LAN, the cloud metadata address) is refused unless the operator listed that host in
    STUDIO_ALLOWED_PRIVATE_HOSTS. Checked before anything is sent; a name that does not
    resolve is left to the connection test to explain.
    """
    base_url = upstream.base_url(account)
    if upstream.in_process_transports(base_url):
        return ""  # the embedded simulator: no network at all
    try:
        netguard.check_url(base_url)
    except netguard.NotAllowed:
        return _(
            "The base URL %(url)s is not allowed: it must be a public http(s) address. "
            "A provider on a private network can be allowed by the server's operator."
        ) % {"url": base_url}
    except netguard.Unreachable:
        pass  # the connection test explains that in its own words
    return ""


def test_connection(account, *, refresh=True):
    """(ok, message): one cheap authenticated call, explained in plain words, and
    remembered on the account. With `refresh`, what the account offers is updated where the
    provider's answer tells."""
    ok, message = check_connection(account, refresh=refresh)
    ProviderAccount.objects.filter(pk=account.pk).update(
        last_test_ok=ok, last_tested_at=timezone.now()
    )
    account.last_test_ok = ok
    return ok, message


def check_connection(account, *, refresh=True):
    problem = base_url_problem(account)
    if problem:
        return False, problem  # refused before the key is sent anywhere
    if account.format != "simulator" and crypto.key_unreadable(account):
        return False, unreadable_key_message()
    provider = upstream.get_provider(account, timeout=10)
    try:
        provider.check()
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
        # Already our sentence, in the reader's language, with the provider's words quoted.
        return False, exc.message
    message = _("Connected: the provider accepted the key and answered in the expected format.")
    if refresh and refresh_capabilities(account, provider):
        more = _("Its model list says what this account offers; song pages now offer only that.")
        # Chinese runs sentences together; English puts a space between them.
        message = pgettext("two sentences in a row", "%(first)s %(second)s") % {
            "first": message,
            "second": more,
        }
    return True, message


def refresh_capabilities(account, provider):
    """Store what the provider says the account offers; returns whether that changed.
    Restrictions no answer tells (chirp-auk only) are kept as they were."""
    told = provider.offers()
    if told is None:
        return False
    current = capabilities.offered(account)
    new = (frozenset(told) & capabilities.ACTIONS) | (current & {capabilities.AUK_ONLY})
    if new == current:
        return False
    account.capabilities = None if new == capabilities.defaults(account.format) else sorted(new)
    account.save(update_fields=["capabilities"])
    return True
