"""The base of every Accord form, and form rendering in the house pattern: label, hint, error
message, then the input.

Every form inherits `AccordForm` or `AccordModelForm`, so every text field refuses control
characters and bidi overrides: they break exports, and can make text read differently from
what is stored. Line breaks and tabs are accepted only where the input runs over lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.utils.deconstruct import deconstructible

from .text import refusal


class AccordFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


@deconstructible
class StorableText:
    """A validator refusing text that holds characters that cannot be stored."""

    def __init__(self, label: str, *, multiline: bool) -> None:
        self.label = label
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        refused = refusal(self.label, value, multiline=self.multiline)
        if refused:
            raise ValidationError(
                f"{refused}. Remove them and try again.", code="unsafe_characters"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StorableText) and (self.label, self.multiline) == (
            other.label,
            other.multiline,
        )


def one_line_ending(to_python: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`to_python` with every line ending made a single line feed first: a browser sends a
    textarea's lines ending in carriage return and line feed, which would count each line
    break as two characters against the field's limit where the browser counts one."""

    def normalised(value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return to_python(value)

    return normalised


class SafeTextMixin:
    """Gives each text field of the form the `StorableText` check."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard_text_fields()

    def guard_text_fields(self) -> None:
        """Give the checks to every field not yet given them: a form that adds fields in its
        own `__init__` calls this again once they are added."""
        # self.fields is the form's own copy, so the validators added here stay with it.
        for name, field in self.fields.items():
            if getattr(field, "accord_guarded", False):
                continue
            field.accord_guarded = True  # type: ignore[attr-defined]
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                label = str(field.label or pretty_name(name))
                if multiline:
                    field.to_python = one_line_ending(field.to_python)  # type: ignore[method-assign]
                named = label.replace("%", "%%")
                field.error_messages = {
                    **field.error_messages,
                    "max_length": f"{named} must be at most %(limit_value)d characters "
                    "(it has %(show_value)d).",
                }
                # Django's own NUL check would repeat the message: this one covers NUL too.
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ]
                field.validators.append(StorableText(label, multiline=multiline))


# What the databases store in an integer key; SQLite fails on a larger number in a query.
KEY_RANGE = range(-(2**63), 2**63)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-objects choice that refuses a number no key can hold, as it refuses any id that
    is not a choice, before it reaches the database (which would fail on it)."""

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        opts = self.queryset.model._meta
        field = opts.pk if key == "pk" else opts.get_field(key)
        if isinstance(field, models.IntegerField):
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # refused as not a choice by Django's own check
                if number not in KEY_RANGE:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class AccordForm(SafeTextMixin, forms.Form):
    pass


class AccordModelForm(SafeTextMixin, forms.ModelForm):
    pass
