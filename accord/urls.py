"""Accord's URLs: each app's pages, the sign-in pages and the admin."""

from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path

from accord.schemes import views as scheme_views

urlpatterns = [
    path("", scheme_views.home, name="home"),
    # The names every template uses for allauth's sign-in and sign-out, at the same addresses.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.account.urls")),
    path("", include("accord.enrolments.urls")),
    path("", include("accord.membership.urls")),
    path("", include("accord.register.urls")),
    path("", include("accord.notifications.urls")),
    path("", include("accord.actions.urls")),
    path("", include("accord.plans.urls")),
    path("admin/", admin.site.urls),
]
