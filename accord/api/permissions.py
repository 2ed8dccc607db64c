"""What a caller may do with the API at all; what they may do with each object is decided by
the same rules as the pages (`accounts.rules`, `enrolments.rules`, …), called by each view."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .models import ApiToken


class TokenRights(BasePermission):
    """A read-only token reads; it never changes anything."""

    message = "This token is read-only: it cannot change anything."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)
