"""Forms for changing a membership's status and for its policy checks."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.core.forms import AccordForm
from accord.enrolments.forms import LONG_TEXT, DateInput, not_in_future, within_two_years
from accord.schemes.models import PrincipleVersion

from .models import Assessment, LapseOutcome, Membership


class StatusChangeForm(AccordForm):
    reason = forms.CharField(
        label="Reasons",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Internal: national officers and the unions see them; the public does not.",
    )
    logo_stop_requested_on = forms.DateField(
        label="Date the employer was asked to stop using the logo",
        widget=DateInput(),
        validators=[not_in_future],
    )

    def __init__(self, *args: Any, leaving: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not leaving:
            del self.fields["logo_stop_requested_on"]


class LapseDecisionForm(AccordForm):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[
            (LapseOutcome.EXTEND, "Extend: set a new date for the review"),
            (LapseOutcome.LAPSE, "Lapse the membership"),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Internal: national officers and the unions see them; the public does not.",
    )
    extended_to = forms.DateField(
        label="New date for the review (to extend)",
        required=False,
        widget=DateInput(),
        validators=[within_two_years],
        help_text="The cycle then ends on this date; the grace period counts from it.",
    )
    logo_stop_requested_on = forms.DateField(
        label="Date the employer was asked to stop using the logo (to lapse)",
        required=False,
        widget=DateInput(),
        validators=[not_in_future],
        help_text="Left empty, Accord asks the employer's contacts by e-mail today and records "
        "today's date.",
    )


def _text(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}), **kwargs
    )


class PolicyLogForm(AccordForm):
    title = forms.CharField(label="The policy or initiative", max_length=200)
    description = _text("What it does", help_text="Who it affects and how.")
    introduced_on = forms.DateField(
        label="Introduced on", required=False, widget=DateInput(), validators=[not_in_future]
    )


class PolicyAssessForm(AccordForm):
    assessment = forms.ChoiceField(
        choices=Assessment.choices,
        widget=forms.RadioSelect,
        label="Against the principles, the policy is",
    )
    principles = forms.ModelMultipleChoiceField(
        queryset=PrincipleVersion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Principles concerned",
        help_text="Required for a detriment.",
    )
    reasoning = _text("Why")
    union_response = _text("The unions' response", help_text="What the unions ask of the employer.")

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = membership.scheme.current_principles()
        field = self.fields["principles"]
        field.queryset = (
            PrincipleVersion.objects.filter(pk__in=[v.pk for v in current])
            .select_related("principle")
            .order_by("principle__number")
        )
        field.label_from_instance = lambda v: f"{v.principle.number}. {v.wording}"
