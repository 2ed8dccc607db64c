"""`user|may_read_figures:employer` for the employer's page: whether the link to its workforce
figures would open, answered by the rule that guards that page."""

from __future__ import annotations

from typing import Any

from django import template

from accord.workforce import rules

register = template.Library()


@register.filter
def may_read_figures(user: Any, employer: Any) -> bool:
    return rules.can_read_employer_figures(user, employer)
