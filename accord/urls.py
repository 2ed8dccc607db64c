"""Accord's URLs: each app's pages, the sign-in pages and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accord.schemes import views as scheme_views

urlpatterns = [
    path("", scheme_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accord.enrolments.urls")),
    path("", include("accord.membership.urls")),
    path("", include("accord.register.urls")),
    path("", include("accord.notifications.urls")),
    path("", include("accord.actions.urls")),
    path("", include("accord.plans.urls")),
    path("", include("accord.accounts.urls")),
    path("admin/", admin.site.urls),
]
