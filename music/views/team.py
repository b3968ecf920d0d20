"""The team page: members and roles, and the team's defaults (owners change them)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from music.forms import AddMemberForm, TeamSettingsForm
from music.models import Membership, Role
from music.services import library, teams
from music.views.accounts import owner_required
from music.views.decorators import confirmation, team_required

REMOVE_MEMBER_CONSEQUENCE = gettext_lazy(
    "They can no longer open the team's songs. The songs they made stay in the library."
)


@team_required
def team_page(request):
    is_owner = request.membership.role == Role.OWNER
    settings_form = TeamSettingsForm(instance=request.team)
    member_form = AddMemberForm()
    if request.method == "POST" and is_owner:
        if "settings" in request.POST:
            settings_form = TeamSettingsForm(request.POST, instance=request.team)
            if settings_form.is_valid():
                settings_form.save()
                messages.success(request, _("Team settings saved."))
                return redirect("music:team")
        else:
            member_form = AddMemberForm(request.POST)
            if member_form.is_valid():
                try:
                    teams.add_member(
                        request.team, member_form.user, member_form.cleaned_data["role"]
                    )
                except teams.TeamChangeRefused as exc:
                    member_form.add_error("username", exc.message)
                else:
                    messages.success(
                        request, _("%(name)s joined the team.") % {"name": member_form.user}
                    )
                    return redirect("music:team")
    return render(
        request,
        "music/team.html",
        {
            "members": library.members(request.team),
            "is_owner": is_owner,
            "settings_form": settings_form,
            "member_form": member_form,
            "roles": Role.choices,
            "remove_consequence": REMOVE_MEMBER_CONSEQUENCE,
        },
    )


@owner_required
@require_POST
def member_change(request, membership_id):
    membership = get_object_or_404(Membership, team=request.team, pk=membership_id)
    try:
        if request.POST.get("remove"):
            teams.remove_member(membership)
            messages.success(
                request, _("%(name)s was removed from the team.") % {"name": membership.user}
            )
        elif request.POST.get("role") in Role.values:
            teams.change_role(membership, request.POST["role"])
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
    except teams.TeamChangeRefused as exc:
        messages.error(request, exc.message)
    return redirect("music:team")


@owner_required
@require_http_methods(["GET", "POST"])
def member_remove(request, membership_id):
    """Remove a member, after “are you sure” (a page without scripts, a dialog with)."""
    membership = get_object_or_404(Membership, team=request.team, pk=membership_id)
    if request.method == "GET":
        return confirmation(
            request,
            question=_("Remove %(name)s from the team?") % {"name": membership.user},
            consequence=REMOVE_MEMBER_CONSEQUENCE,
            button=_("Remove"),
            cancel_url=reverse("music:team"),
        )
    try:
        teams.remove_member(membership)
    except teams.TeamChangeRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s was removed from the team.") % {"name": membership.user}
        )
    return redirect("music:team")
