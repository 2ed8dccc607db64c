"""The error summary of a form page: every error of the form and of the formsets it carries,
each linked to its field, so that no refusal goes unannounced."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def _field_errors(form: forms.BaseForm) -> list[tuple[str, str]]:
    rows = [("", str(error)) for error in form.non_field_errors()]
    for field in form.hidden_fields():
        rows += [("", str(error)) for error in field.errors]
    for field in form.visible_fields():
        anchor = field.id_for_label or field.auto_id
        # A message that already names the field ("Name contains ...") is not prefixed again.
        rows += [
            (anchor, error if error.startswith(f"{field.label} ") else f"{field.label}: {error}")
            for error in map(str, field.errors)
        ]
    return rows


def error_list(form: Any) -> list[tuple[str, str]]:
    """(anchor, message) for every error of `form` and of its `formsets`, in page order."""
    if not isinstance(form, forms.BaseForm) or not form.is_bound:
        return []
    rows = _field_errors(form)
    for formset in getattr(form, "formsets", ()):
        rows += [(formset.prefix, str(error)) for error in formset.non_form_errors()]
        for subform in formset.forms:
            rows += _field_errors(subform)
    return rows


@register.filter
def has_errors(form: Any) -> bool:
    return bool(error_list(form))


@register.inclusion_tag("forms/error_summary.html")
def error_summary(form: Any) -> dict[str, Any]:
    return {"errors": error_list(form)}
