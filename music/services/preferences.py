"""A reader's display preferences kept in their browser (a cookie), not in the database:
they hold before sign-in, on the login page, and on error pages."""

from django.conf import settings

THEME_COOKIE = "studio_theme"
THEMES = ("system", "light", "dark")
THEME_COOKIE_SECONDS = 365 * 24 * 3600


def theme(request):
    """The reader's theme: "system" (follow the device) unless they chose light or dark."""
    value = request.COOKIES.get(THEME_COOKIE, "") if request is not None else ""
    return value if value in THEMES else "system"


def remember_theme(response, value):
    """Keep the choice for a year. Readable by scripts on purpose: studio.js switches the
    theme in place and writes the same cookie (it holds nothing secret)."""
    response.set_cookie(
        THEME_COOKIE,
        value,
        max_age=THEME_COOKIE_SECONDS,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    return response
