"""`{% may_read_figures employer as name %}` for the employer's page: whether the link to its
workforce figures would open, answered by the rule that guards that page (with the schemes the
page has read already, when it has them as `schemes`)."""

from __future__ import annotations

from typing import Any

from django import template

from accord.workforce import rules

register = template.Library()


@register.simple_tag(takes_context=True)
def may_read_figures(context: template.Context, employer: Any) -> bool:
    return rules.can_read_employer_figures(context["user"], employer, context.get("schemes"))
