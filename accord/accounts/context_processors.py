"""Template context shared by every page: the navigation the signed-in user may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from . import rules
from .models import Role

# Links that apps above this one add to the navigation, after "My tasks": (label, URL name,
# whether the user may follow it). They register at import (`nav_link`), as their views load.
EXTRA_LINKS: dict[str, tuple[str, Callable[[Any], bool]]] = {}


def nav_link(label: str, url_name: str, rule: Callable[[Any], bool]) -> None:
    """Show a link to the page `url_name` to everyone `rule` allows."""
    EXTRA_LINKS[label] = (url_name, rule)


def navigation(request: HttpRequest) -> dict:
    user = request.user
    items = []
    if user.is_authenticated:
        items.append(("My tasks", reverse("tasks")))
        for label, (url_name, rule) in EXTRA_LINKS.items():
            if rule(user):
                items.append((label, reverse(url_name)))
        if rules.visible_enrolments_q(user) is not None and any(
            a.role not in (Role.PLAN_OWNER, Role.PLAN_MEMBER) for a in rules.assignments(user)
        ):
            label = "Enrolments" if rules.is_union_staff(user) else "Memberships"
            items.append((label, reverse("enrolments")))
            items.append(("Employers", reverse("employers")))
        if rules.plans_q(user) is not None:
            items.append(("Plans", reverse("plans")))
        if rules.can_view_places(user):
            items.append(("Areas", reverse("areas")))
        if rules.can_import_employers(user):
            items.append(("Import employers", reverse("employers-import")))
        if rules.can_manage_outbox(user):
            items.append(("Failed e-mails", reverse("outbox")))
        if rules.can_read_schemes(user):
            items.append(("Schemes", reverse("schemes")))
        if rules.can_see_people(user):
            items.append(("People", reverse("people")))
    items.append(("Register of member employers", reverse("register")))
    items.append(("The process", reverse("process")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current.startswith(url)} for label, url in items
        ]
    }
