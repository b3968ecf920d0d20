"""Signing in: the login page (with the demo hint in demo mode) and the lockout page."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from music.services import teams


def sign_in(request):
    view = auth_views.LoginView.as_view(
        redirect_authenticated_user=True, extra_context={"demo_login": teams.demo_login()}
    )
    return view(request)


def locked_out(request, response=None, credentials=None):
    """What django-axes answers a locked-out sign-in with (AXES_LOCKOUT_CALLABLE), on the
    studio's login page and the admin's: a page saying why and what to do, not a bare 403."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
