"""Display preferences: the theme picker's no-script path (studio.js switches in place)."""

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from music.services import preferences


@require_POST
def set_theme(request):
    value = request.POST.get("theme", "")
    if value not in preferences.THEMES:
        return HttpResponseBadRequest(_("Choose system, light or dark."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "music:library"
    return preferences.remember_theme(redirect(target), value)
