"""`user|may_open:obj` for templates: whether a link to `obj`'s page would open for `user`,
answered by the same predicate that guards that page, so no page shows a dead link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from accord.accounts import rules

register = template.Library()

# Each linked model's page and the predicate its view checks first.
PAGE_RULES: dict[str, Callable[[Any, Any], bool]] = {
    "organisations.Employer": rules.can_view_employer,
    "enrolments.Enrolment": rules.can_view_enrolment,
    "plans.Plan": rules.can_view_plan,
    "actions.Action": rules.can_view_action,
    "membership.PolicyCheck": lambda user, check: rules.can_view_enrolment(
        user, check.membership.enrolment
    ),
}


@register.filter
def may_open(user: Any, obj: Any) -> bool:
    try:
        rule = PAGE_RULES[obj._meta.label]
    except KeyError:
        raise ValueError(f"No page rule for {obj._meta.label}: add it to PAGE_RULES.") from None
    return rule(user, obj)
