"""Signing people out after a period without activity, and a fixed time after signing in; the
Permissions-Policy header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# A signed, timestamped cookie rather than a session field: refreshing it on every request
# costs no database write and leaves each page's queries the same from one request to the next.
COOKIE = "accord_active"
_SALT = "accord.core.idle-timeout"


class IdleTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if limit and request.user.is_authenticated and COOKIE in request.COOKIES:
            try:
                request.get_signed_cookie(COOKIE, salt=_SALT, max_age=limit)
            except signing.BadSignature:  # too old (SignatureExpired) or tampered with
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_TIMEOUT_MINUTES} "
                    "minutes without activity. Please sign in again.",
                )
        response = self.get_response(request)
        if limit and request.user.is_authenticated:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=limit,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class PermissionsPolicyMiddleware:
    """Refuses every browser feature named in PERMISSIONS_POLICY to each page and to anything
    it embeds (`camera=(), microphone=(), ...`), unless a view set its own header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# When the session's person signed in (seconds since the epoch), written once at sign-in.
SIGNED_IN_AT = "accord_signed_in_at"


def record_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django's `user_logged_in`: the session's absolute lifetime starts now."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(timezone.now().timestamp())


class AbsoluteLifetimeMiddleware:
    """Ends a signed-in session SESSION_ABSOLUTE_HOURS after its sign-in, however active."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.SESSION_ABSOLUTE_HOURS * 60 * 60
        if limit and request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if not isinstance(signed_in_at, int):
                # A session from before this rule: its lifetime counts from now.
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at >= limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out {settings.SESSION_ABSOLUTE_HOURS} hours after "
                    "signing in. Please sign in again.",
                )
        return self.get_response(request)
