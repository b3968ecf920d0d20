"""The team page: members and roles, and the team's defaults (owners change them)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music.forms import AddMemberForm, TeamSettingsForm
from music.models import Membership, Role
from music.services import library, teams
from music.views.accounts import owner_required
from music.views.decorators import team_required


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
        },
    )


@owner_required
@require_POST
def member_change(request, membership_id):
    membership = get_object_or_404(Membership, team=request.team, pk=membership_id)
    try:
        if request.POST.get("remove"):
            teams.remove_member(membership)
            messages.success(request, _("%(name)s left the team.") % {"name": membership.user})
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
