"""The base of every Accord form, and form rendering in the house pattern: label, hint, error
message, then the input.

Every form inherits `AccordForm` or `AccordModelForm`, so every text field refuses control
characters and bidi overrides: they break exports, and can make text read differently from
what is stored. Line breaks and tabs are accepted only where the input runs over lines.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
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


class SafeTextMixin:
    """Gives each text field of the form the `StorableText` check."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields is the form's own copy, so the validators added here stay with it.
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                label = str(field.label or pretty_name(name))
                # Django's own NUL check would repeat the message: this one covers NUL too.
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ]
                field.validators.append(StorableText(label, multiline=multiline))


class AccordForm(SafeTextMixin, forms.Form):
    pass


class AccordModelForm(SafeTextMixin, forms.ModelForm):
    pass
