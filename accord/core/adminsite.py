"""Django's admin, for superusers only: everyone else, staff included, works in Accord's pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Accord administration (superusers)"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Sign-in happens on Accord's own page (rate-limited); signed-in others are refused."""
        if not request.user.is_authenticated:
            next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.get_full_path()
            return redirect_to_login(next_url, settings.LOGIN_URL)
        if not self.has_permission(request):
            raise PermissionDenied("The administration pages are for superusers only.")
        return redirect("admin:index")
