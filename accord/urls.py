"""Accord's URLs: each app's pages, the sign-in pages and the admin."""

from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accord.accounts import views as accounts_views
from accord.schemes import views as scheme_views

urlpatterns = [
    path("", scheme_views.home, name="home"),
    # The names every template uses for allauth's sign-in and sign-out, at the same addresses.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # In place of allauth's: officers change a person's address (accounts/views.py says why).
    path("accounts/email/", accounts_views.email_address, name="account_email"),
    path(
        "accounts/email-preferences/",
        accounts_views.email_preferences,
        name="email-preferences",
    ),
    path("accounts/data/", accounts_views.own_data, name="own-data"),
    # The person's own sign-in settings, in place of allauth's two-factor overview.
    path("accounts/security/", accounts_views.security, name="account-security"),
    path(
        "accounts/security/sign-out-everywhere/",
        accounts_views.sign_out_everywhere,
        name="sign-out-everywhere",
    ),
    path(
        "accounts/2fa/",
        RedirectView.as_view(pattern_name="account-security"),
        name="mfa_index",
    ),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/tokens/", include("accord.api.token_views")),
    path("accounts/", include("allauth.account.urls")),
    path("", include("accord.enrolments.urls")),
    path("", include("accord.enrolments.scheme_urls")),
    path("", include("accord.membership.urls")),
    path("", include("accord.register.urls")),
    path("", include("accord.notifications.urls")),
    path("", include("accord.actions.urls")),
    path("", include("accord.plans.urls")),
    path("", include("accord.dashboards.urls")),
    path("", include("accord.accounts.urls")),
    path("api/v1/", include("accord.api.urls")),
    path("admin/", admin.site.urls),
]
