"""Template context shared by every page: the navigation the signed-in user may use."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accord.accounts import rules


def navigation(request: HttpRequest) -> dict:
    user = request.user
    items = []
    if user.is_authenticated:
        items.append(("My tasks", reverse("tasks")))
        if rules.assignments(user):
            items.append(("Enrolments", reverse("enrolments")))
            items.append(("Employers", reverse("employers")))
        if rules.can_import_employers(user):
            items.append(("Import employers", reverse("employers-import")))
    items.append(("Register", reverse("register")))
    items.append(("The process", reverse("process")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current.startswith(url)} for label, url in items
        ]
    }
