"""`user|may_open:obj` and `{% link_if_open user obj text %}` for templates: whether a link to
`obj`'s page would open for `user`, answered by the same predicate that guards that page, so no
page shows a dead link."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

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


@register.simple_tag
def link_if_open(user: Any, obj: Any, text: Any) -> SafeString:
    """`text` linked to `obj`'s page when it would open for `user`, else `text` alone."""
    if may_open(user, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text)
    return conditional_escape(text)
