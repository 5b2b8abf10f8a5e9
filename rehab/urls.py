"""Root URLs: the composition root, the one place that names every app."""

from django.contrib import admin
from django.urls import include, path

from programs.views.home import home
from rehab.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("programs/", include("programs.urls")),
    path("inmates/", include("inmates.urls")),
    path("", include("certificates.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
