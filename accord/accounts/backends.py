"""Signing in: allauth's backend, reading a signed-in person together with their roles."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from . import rules
from .models import User


class AuthenticationBackend(AllauthBackend):
    """Every page asks what the signed-in person's roles are (navigation, permissions). Reading
    the roles with the person, as one query, saves a query on every page; someone with no role
    is read on their own, as Django does."""

    def get_user(self, user_id: int) -> User | None:  # type: ignore[override]
        held = list(rules.assignments_query().select_related("user").filter(user_id=user_id))
        if not held:
            user = super().get_user(user_id)
            if user is not None:
                user._accord_assignments = []  # none, as just read
            return user
        user = held[0].user
        if not self.user_can_authenticate(user):
            return None
        for assignment in held:
            assignment.user = user
        user._accord_assignments = held
        return user
