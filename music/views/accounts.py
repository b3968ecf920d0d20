"""The team's provider accounts: owners add, edit, check and choose them."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from music.forms import ProviderAccountForm
from music.models import ACTIVE_TASK_STATES, ProviderAccount, Role
from music.services import accounts
from music.views.decorators import confirmation, team_required

DELETE_ACCOUNT_CONSEQUENCE = gettext_lazy(
    "Its key is forgotten. Songs made with it stay in the library, but nothing more can be "
    "asked of them through this account."
)


def delete_question(account):
    return _("Delete the provider account “%(name)s”?") % {"name": account}


def owner_required(view):
    @team_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership.role != Role.OWNER:
            return render(
                request,
                "music/forbidden.html",
                {
                    "reason": _("Only team owners manage provider accounts."),
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


@team_required
def account_list(request):
    return render(
        request,
        "music/account_list.html",
        {
            "accounts": accounts.with_key_status(accounts.team_accounts(request.team)),
            "delete_consequence": DELETE_ACCOUNT_CONSEQUENCE,
            "is_owner": request.membership.role == Role.OWNER,
        },
    )


def _edit(request, account):
    form = ProviderAccountForm(request.POST or None, instance=account, team=request.team)
    if request.method == "POST" and form.is_valid():
        problem = accounts.base_url_problem(form.instance)
        if problem:
            form.add_error("base_url", problem)
            return render(request, "music/account_form.html", {"form": form, "account": account})
        saved = accounts.save(form.save(commit=False))
        # What the owner just ticked wins over what the provider's answer says.
        ok, message = accounts.test_connection(
            saved, refresh="capabilities" not in form.changed_data
        )
        (messages.success if ok else messages.warning)(
            request, _("Saved “%(name)s”. %(check)s") % {"name": saved, "check": message}
        )
        return redirect("music:accounts")
    return render(request, "music/account_form.html", {"form": form, "account": account})


@owner_required
def account_create(request):
    return _edit(request, ProviderAccount(team=request.team))


@owner_required
def account_edit(request, account_id):
    return _edit(request, accounts.get_account(request.team, account_id))


@owner_required
@require_POST
def account_test(request, account_id):
    account = accounts.get_account(request.team, account_id)
    ok, message = accounts.test_connection(account)
    said = _("%(account)s: %(message)s") % {"account": account, "message": message}
    (messages.success if ok else messages.error)(request, said)
    return redirect("music:accounts")


@owner_required
@require_POST
def account_default(request, account_id):
    account = accounts.get_account(request.team, account_id)
    accounts.make_default(account)
    messages.success(request, _("New songs now go to “%(name)s”.") % {"name": account})
    return redirect("music:accounts")


@owner_required
@require_http_methods(["GET", "POST"])
def account_delete(request, account_id):
    account = accounts.get_account(request.team, account_id)
    if request.method == "GET":
        return confirmation(
            request,
            question=delete_question(account),
            consequence=DELETE_ACCOUNT_CONSEQUENCE,
            button=_("Delete"),
            cancel_url=reverse("music:accounts"),
        )
    busy = account.tasks.filter(state__in=ACTIVE_TASK_STATES).count()
    if busy:
        messages.error(
            request,
            _(
                "“%(name)s” still has %(n)s task(s) in progress; delete it when they are done, or "
                "they could not be followed to the end."
            )
            % {"name": account, "n": busy},
        )
        return redirect("music:accounts")
    account.delete()
    messages.success(
        request,
        _("Deleted “%(name)s”. Songs made with it stay in the library.") % {"name": account},
    )
    return redirect("music:accounts")
