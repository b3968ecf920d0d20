from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from music.views import auth, health, preferences

urlpatterns = [
    path("healthz/", health.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("theme/", preferences.set_theme, name="set_theme"),
    # The scripts' strings in the reader's language, from our own djangojs catalogue (the
    # CSP allows only our own scripts, so no inline catalogue).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["music"]),
        name="javascript_catalog",
    ),
    path("", include("music.urls")),
]

# Error pages: 404 and 403 are Django's views with our templates; 500 renders without the
# database or context processors, whatever broke.
handler500 = "music.views.errors.server_error"
