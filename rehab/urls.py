"""Root URLs: the composition root, the one place that names every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from programs.views.home import home
from rehab.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("programs/", include("programs.urls")),
    path("inmates/", include("inmates.urls")),
    path("", include("certificates.urls")),
    # No e-mail password reset: prison staff reset passwords through the system administrator.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
