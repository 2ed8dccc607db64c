"""Rates: per token (or per signed-in person, for a browser session) and per anonymous client
address (counted behind `ACCORD_TRUSTED_PROXY_COUNT` proxies, as the sign-in limits are).
The rates are `settings.ACCORD_API_RATES` (from `ACCORD_API_RATE_TOKEN` and `ACCORD_API_RATE_ANON`),
read on each request rather than once at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .models import ApiToken


class SettingsRate:
    scope: str

    def get_rate(self) -> str | None:
        return settings.ACCORD_API_RATES.get(self.scope)


class TokenRateThrottle(SettingsRate, SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(SettingsRate, AnonRateThrottle):
    scope = "anon"
