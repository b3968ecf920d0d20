from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from music.views import auth, health

urlpatterns = [
    path("healthz/", health.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("music.urls")),
]
