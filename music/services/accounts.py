"""A team's provider accounts: choosing, saving and checking them."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from music import upstream
from music.models import ProviderAccount
from music.services import capabilities
from music.upstream.base import UpstreamError


def team_accounts(team):
    return list(ProviderAccount.objects.filter(team=team).order_by("-is_default", "name"))


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


def test_connection(account, *, refresh=True):
    """(ok, message): one cheap authenticated call, explained in plain words. With
    `refresh`, what the account offers is updated where the provider's answer tells."""
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
        return False, _("The provider answered with an error: %(reason)s") % {"reason": exc.message}
    message = _("Connected: the provider accepted the key and answered in the expected format.")
    if refresh and refresh_capabilities(account, provider):
        message += " " + _(
            "Its model list says what this account offers; song pages now offer only that."
        )
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
