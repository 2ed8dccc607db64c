"""`user|may_open:obj` for templates: whether a link to `obj`'s page would open for `user`,
answered by the same predicate that guards that page, so no page shows a dead link."""

from __future__ import annotations

from typing import Any

from django import template

from accord.accounts import rules

register = template.Library()


@register.filter
def may_open(user: Any, obj: Any) -> bool:
    try:
        rule = rules.PAGE_RULES[obj._meta.label]
    except KeyError:
        raise ValueError(
            f"No page rule for {obj._meta.label}: register its page with rules.opens_page."
        ) from None
    return rule(user, obj)
