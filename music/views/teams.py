from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music.services import teams


@login_required
@require_POST
def switch_team(request):
    membership = teams.switch_team(request, request.POST.get("team"))
    if membership is None:
        messages.error(request, _("You are not a member of that team."))
    else:
        messages.success(request, _("Now working in %(team)s.") % {"team": membership.team})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "music:library"
    return redirect(target)
