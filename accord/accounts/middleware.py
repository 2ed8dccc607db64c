"""Sending a person who must use two-factor sign-in to set it up before anything else opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from . import rules

# What the session remembers once a person who must use two-factor sign-in is found to have an
# app, so that ordinary pages read nothing more. Whether they must is read on every request from
# their roles, already loaded with them: a role given during a session applies at once.
SESSION_KEY = "accord_mfa"
SATISFIED = "ok"

# The pages open to someone who has still to set up their app.
OPEN_BEFORE_SET_UP = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "logout",
        "account_logout",
    }
)


def has_app(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MFARequiredMiddleware:
    """With ACCORD_MFA_REQUIRED on, a signed-in person who must use two-factor sign-in and has
    no authenticator app reaches only the set-up page (and signing out) until they have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not settings.ACCORD_MFA_REQUIRED or not request.user.is_authenticated:
            return None
        if not rules.must_use_mfa(request.user) or request.session.get(SESSION_KEY) == SATISFIED:
            return None
        if has_app(request.user):
            request.session[SESSION_KEY] = SATISFIED
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SET_UP:
            return None
        return redirect("mfa_activate_totp")
