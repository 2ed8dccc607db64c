"""Signing people out after a period without activity."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_LAST_SEEN = "accord_last_seen"
# The session is rewritten at most this often, not on every request.
_REFRESH_SECONDS = 60


class IdleTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            last_seen = request.session.get(_LAST_SEEN)
            if isinstance(last_seen, int) and idle_limit and now - last_seen > idle_limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_TIMEOUT_MINUTES} "
                    "minutes without activity. Please sign in again.",
                )
            elif not isinstance(last_seen, int) or now - last_seen >= _REFRESH_SECONDS:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)
