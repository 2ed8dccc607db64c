"""The forms of the scheme pages: a scheme's details, a principle, a material, the logo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from accord.core.forms import AccordForm, AccordModelForm
from accord.core.uploads import size_text
from accord.organisations.models import Union

from . import files
from .models import Scheme

LONG_TEXT = 5000


class SchemeForm(AccordModelForm):
    default_cycle_months = forms.IntegerField(
        label="Default cycle length (months)",
        min_value=1,
        max_value=60,
        help_text="How long a cycle lasts unless the parties agree otherwise; usually 12.",
    )
    lapse_grace_months = forms.IntegerField(
        label="Grace period for an overdue review (months)",
        min_value=1,
        max_value=24,
        initial=3,
        required=False,
        help_text="When a review is overdue by longer, the national officers decide whether "
        "to extend or lapse the membership; usually 3. Left empty, it stays as it is.",
    )

    class Meta:
        model = Scheme
        fields = [
            "name",
            "slug",
            "lead_union",
            "partner_unions",
            "default_cycle_months",
            "lapse_grace_months",
            "summary",
            "principles_preamble",
            "contact_email",
        ]
        labels = {
            "slug": "Short name for its address",
            "principles_preamble": "Preamble to the principles",
            "contact_email": "Contact e-mail address",
        }
        help_texts = {
            "slug": "Lower-case letters, numbers and hyphens: the scheme's pages are at "
            "/schemes/<short name>/.",
            "partner_unions": "The unions that take part beside the lead union.",
            "summary": "What the scheme is, in a paragraph, for the public home page.",
        }
        error_messages = {
            "name": {"unique": "Another scheme has this name."},
            "slug": {"unique": "Another scheme has this short name in its address."},
        }
        widgets = {
            "partner_unions": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "principles_preamble": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, unions_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unions = Union.objects.order_by("short_name")
        self.fields["partner_unions"].queryset = unions
        lead = self.fields["lead_union"]
        lead.queryset = unions
        lead.empty_label = None
        if unions_fixed:
            # Shown, never taken from the post: only a superuser chooses a scheme's unions.
            for name in ("lead_union", "partner_unions"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Only a superuser changes the scheme's unions."
        for name in ("summary", "principles_preamble"):
            self.fields[name].max_length = LONG_TEXT

    def clean_lapse_grace_months(self) -> int:
        months = self.cleaned_data.get("lapse_grace_months")
        if months is None:
            return self.instance.lapse_grace_months if self.instance.pk else 3
        return months


class PrincipleForm(AccordForm):
    short_title = forms.CharField(
        label="Short title", max_length=100, help_text="A few words, e.g. “Pay and conditions”."
    )
    wording = forms.CharField(
        label="Wording",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="As the scheme publishes it, following the preamble.",
    )
    footnote = forms.CharField(
        label="Footnote",
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PrincipleEditForm(PrincipleForm):
    reason = forms.CharField(
        label="Reason for a rewording",
        max_length=200,
        required=False,
        help_text="Changing the wording or footnote makes a new version; cycles already agreed "
        "keep the version they were agreed under.",
    )


class MaterialForm(AccordForm):
    title = forms.CharField(label="Title", max_length=200)
    url = forms.URLField(
        label="Link",
        required=False,
        assume_scheme="https",
        help_text="A web address, e.g. of the scheme's video. Give a link or a file.",
    )
    file = forms.FileField(
        label="File",
        required=False,
        error_messages={"empty": "The file is empty: choose the file again."},
        help_text=f"{files.ALLOWED}, no larger than "
        f"{size_text(settings.SCHEME_MATERIAL_MAX_BYTES)}.",
    )
    position = forms.IntegerField(
        label="Position",
        min_value=0,
        max_value=1000,
        required=False,
        help_text="Its place in the list: lower numbers come first.",
    )
    public = forms.BooleanField(
        label="Public: anyone may open it, signed in or not",
        required=False,
    )


class LogoForm(AccordForm):
    logo = forms.FileField(
        label="Logo",
        error_messages={
            "required": "Choose a PNG file for the logo.",
            "empty": "The logo file is empty: choose the file again.",
        },
        help_text=f"A PNG image, no larger than {size_text(settings.SCHEME_LOGO_MAX_BYTES)}, "
        f"between {files.LOGO_MIN_SIDE} and {files.LOGO_MAX_SIDE} pixels on each side.",
    )
