"""Forms for reviews and for confirming cycles and reviews."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from accord.core.forms import AccordForm
from accord.enrolments.forms import LONG_TEXT, DateInput, not_in_future

from .models import Cycle, Decision, Outcome


class ReviewForm(AccordForm):
    held_on = forms.DateField(
        label="Date of the review", widget=DateInput(), validators=[not_in_future]
    )
    outcome = forms.ChoiceField(
        label="Overall, the objective was", choices=Outcome.choices, widget=forms.RadioSelect
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What shows the outcome: documents, minutes, figures.",
    )
    notes = forms.CharField(
        label="Notes",
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        label="What the parties agreed next",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        help_text="If met, the next cycle begins on a different principle; if not, extend the "
        "cycle or agree a revised objective on the same principle.",
    )
    extended_to = forms.DateField(
        label="New end of the cycle (for an extension)", required=False, widget=DateInput()
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = cycle.objective_list()
        self.fields["held_on"].initial = timezone.localdate()
        for n, objective in enumerate(self.objectives, start=1):
            self.fields[f"objective_{n}"] = forms.ChoiceField(
                label=f"Objective {n}: {objective}",
                choices=Outcome.choices,
                widget=forms.RadioSelect,
            )
        # Per-objective outcomes first, as the review goes through them.
        order = [f"objective_{n}" for n in range(1, len(self.objectives) + 1)]
        self.order_fields(["held_on", *order])

    def review_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["objective_outcomes"] = [
            data.pop(f"objective_{n}") for n in range(1, len(self.objectives) + 1)
        ]
        return data


class ConfirmForm(AccordForm):
    confirm = forms.BooleanField(label="I confirm this for the employer.")
