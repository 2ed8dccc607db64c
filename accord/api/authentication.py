"""Who is calling: a bearer token (`Authorization: Bearer acc_…`), or a signed-in browser
session (for the API docs' "Try it out"), which must send Django's CSRF token on a change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import tokens
from .models import ApiToken

KEYWORD = "Bearer"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”, with no spaces in it.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = tokens.authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "The token is not valid: it is unknown, expired or revoked, or its owner can "
                    "no longer sign in."
                )
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 with WWW-Authenticate, not a 403.
        return f'{KEYWORD} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser's session, with CSRF checked on changes as on the pages."""


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accord.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on “Sign-in and security”. "
            "Send it as `Authorization: Bearer acc_…`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "accord.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A signed-in browser (the API docs' “Try it out”); a change needs "
            "the CSRF token in the X-CSRFToken header.",
        }
