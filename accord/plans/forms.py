"""Forms of the plan pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from accord.core.forms import AccordForm, AccordModelForm
from accord.core.text import shorten
from accord.core.uploads import too_large
from accord.enrolments.forms import LONG_TEXT, DateInput, not_in_future

from .models import Commitment, Party, Plan


class UploadForm(AccordForm):
    file = forms.FileField(
        label="The plan",
        help_text="A plan document (.txt) laid out like the 2008 Government Skills plan, or a "
        "workplan table (.csv or .xlsx) with the columns Action Number, Action Detail, Action "
        "Owner and Action By date.",
    )
    title = forms.CharField(label="Title (for a workplan table)", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        name = upload.name.lower()
        if not name.endswith((".txt", ".csv", ".xlsx")):
            self.add_error("file", "Choose a .txt, .csv or .xlsx file.")
        elif upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            self.add_error("file", too_large(settings.PLAN_IMPORT_MAX_BYTES))
        elif name.endswith((".csv", ".xlsx")) and not data.get("title"):
            self.add_error("title", "Give the plan a title: a table does not hold one.")
        return data


class ActionForm(AccordForm):
    number = forms.IntegerField(min_value=1, max_value=2_147_483_647)  # what the column holds
    detail = forms.CharField(max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    owner_party = forms.ModelChoiceField(
        queryset=Party.objects.none(), label="Owner", empty_label=None
    )
    due_wording = forms.CharField(
        label="By date",
        max_length=100,
        help_text="As you would write it: “End October 2008” or 31/10/2008.",
    )
    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The commitments it delivers",
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_party"].queryset = plan.parties.all()
        self.fields["commitments"].queryset = (
            Commitment.objects.filter(theme__plan=plan)
            .select_related("theme")
            .order_by("theme__position", "position")
        )
        self.fields["commitments"].label_from_instance = lambda c: (
            f"{c.theme.position}.{c.position} {shorten(c.text, 110)}"
        )


class ReviewForm(AccordForm):
    held_on = forms.DateField(
        label="Date of the review", widget=DateInput(), validators=[not_in_future]
    )
    notes = forms.CharField(max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    outcomes = forms.CharField(
        max_length=LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = forms.DateField(label="Next review", required=False, widget=DateInput())


class PlanForm(AccordModelForm):
    class Meta:
        model = Plan
        fields = ["title", "status", "review_every_months", "next_review_on"]
        widgets = {"next_review_on": DateInput()}
        labels = {"review_every_months": "Review the plan every (months)"}
