"""Forms for a cycle's terms (the commitment, first drafted as a joining step), for reviews, and
for confirming cycles and reviews."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accord.core.forms import AccordForm
from accord.enrolments.forms import (
    LONG_TEXT,
    DateInput,
    StepForm,
    not_in_future,
    text_field,
    within_two_years,
)
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.schemes.models import PrincipleVersion

from . import employer_voice
from .models import Cycle, Decision, Outcome, Priority, Readiness


def add_assessment_fields(
    form: forms.Form,
    principles: list[PrincipleVersion],
    prior: dict[int, Any],
    *,
    words: str = "the employer's words",
    now: str = "where the employer is now",
) -> None:
    """A rating, a priority and a few words for each principle; `prior`: the values to start
    from, by principle version."""
    for version in principles:
        n = version.principle.number
        given = prior.get(version.pk)
        form.fields[f"readiness_{n}"] = forms.ChoiceField(
            label=f"Principle {n}: {now}",
            choices=[("", "Choose…"), *Readiness.choices],
            initial=given.readiness if given else "",
        )
        form.fields[f"priority_{n}"] = forms.ChoiceField(
            label=f"Principle {n}: priority for the year ahead",
            choices=[("", "Choose…"), *Priority.choices],
            initial=given.priority if given else "",
        )
        form.fields[f"narrative_{n}"] = forms.CharField(
            label=f"Principle {n}: {words}",
            max_length=LONG_TEXT,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            initial=given.narrative if given else "",
        )
    # Added after the form's own checks were given: these fields need them too.
    form.guard_text_fields()  # type: ignore[attr-defined]


def assessment_rows(form: forms.Form, principles: list[PrincipleVersion]) -> list[dict[str, Any]]:
    """The self-assessment fields grouped per principle, for the template."""
    return [
        {
            "version": version,
            "readiness": form[f"readiness_{version.principle.number}"],
            "priority": form[f"priority_{version.principle.number}"],
            "narrative": form[f"narrative_{version.principle.number}"],
        }
        for version in principles
    ]


def pop_assessments(data: dict[str, Any], principles: list[PrincipleVersion]) -> list[dict]:
    """The cleaned self-assessment fields, taken out of `data`, one entry per principle."""
    return [
        {
            "principle_version": version,
            "readiness": data.pop(f"readiness_{version.principle.number}"),
            "priority": data.pop(f"priority_{version.principle.number}"),
            "narrative": data.pop(f"narrative_{version.principle.number}"),
        }
        for version in principles
    ]


def _next_number(enrolment: Enrolment) -> int:
    numbers = [c.number for c in enrolment.cycles.all()]
    return max(numbers, default=0) + 1


class ActivityForm(AccordForm):
    detail = forms.CharField(label="Activity", max_length=1000, required=False)
    owner = forms.CharField(label="Owner", max_length=200, required=False)
    due_on = forms.DateField(label="Due", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = [name for name in ("detail", "owner", "due_on") if data.get(name)]
        if filled and len(filled) < 3:
            for name in ("detail", "owner", "due_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Give the activity, its owner and its due date.")
        return data


ActivityFormSet = forms.formset_factory(ActivityForm, extra=0, min_num=5, max_num=30)


class CommitmentForm(StepForm):
    principle = forms.ModelChoiceField(
        queryset=PrincipleVersion.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="The principle for the first cycle",
    )
    objectives = text_field("Objectives", help_text="One objective per line: each is reviewed.")
    success_criteria = text_field("Success criteria")
    starts_on = forms.DateField(label="Period starts", widget=DateInput())
    ends_on = forms.DateField(label="Period ends", widget=DateInput())
    note = text_field("Note", required=False)

    def __init__(self, *args: Any, cycle: Any = "first", **kwargs: Any) -> None:
        """`cycle`: the cycle being drafted again, or None for a new one after cycle 1."""
        super().__init__(*args, **kwargs)
        enrolment = self.enrolment
        assert enrolment is not None
        self.principles = enrolment.scheme.current_principles()
        self.fields["principle"].queryset = (
            PrincipleVersion.objects.filter(pk__in=[p.pk for p in self.principles])
            .select_related("principle")
            .order_by("principle__number")
        )
        # Offered from the versions read above, in order: the field's own query runs only to
        # check what is posted.
        self.fields["principle"].choices = [
            (v.pk, f"{v.principle.number}. {v.wording}") for v in self.principles
        ]
        if cycle == "first":
            cycle = enrolment.first_cycle
        existing = {}
        if cycle is not None:
            existing = {s.principle_version_id: s for s in cycle.self_assessments.all()}
        number = cycle.number if cycle is not None else _next_number(enrolment)
        self.employer_view: dict[int, Any] = {}
        self.employer_priorities = ""
        if enrolment.state != State.COMMITMENT_DRAFTED:
            # Drafting afresh starts from the employer's own view, where it gave one; revising
            # a draft starts from the draft.
            view = employer_voice.view_for(enrolment, number)
            if view is not None:
                self.employer_view = {item.principle_version_id: item for item in view.loaded}
                self.employer_priorities = view.priorities
            if self.employer_view:
                existing = self.employer_view
        add_assessment_fields(self, self.principles, existing)
        if cycle is not None:
            self.initial.update(
                principle=cycle.principle_version_id,
                objectives=cycle.objectives,
                success_criteria=cycle.success_criteria,
                starts_on=cycle.starts_on,
                ends_on=cycle.ends_on,
            )
            activities = [
                {"detail": a.detail, "owner": a.owner, "due_on": a.due_on}
                for a in cycle.actions.all()
            ]
        else:
            start = timezone.localdate()
            months = enrolment.scheme.default_cycle_months
            self.initial.update(starts_on=start, ends_on=_add_months(start, months))
            activities = []
        self.activities = ActivityFormSet(
            self.data if self.is_bound else None, prefix="activities", initial=activities
        )
        for number, row in enumerate(self.activities, start=1):
            for field in row.fields.values():
                field.label = f"{field.label} {number}"
        # Read by the error summary, so that the rows' errors are announced with the form's.
        self.formsets = [self.activities]

    def assessment_rows(self) -> list[dict[str, Any]]:
        """The self-assessment fields grouped per principle, for the template."""
        return assessment_rows(self, self.principles)

    def _filled_activities(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.activities if form.cleaned_data.get("detail")]

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        activities_ok = self.activities.is_valid()
        if form_ok and activities_ok and not self._filled_activities():
            self.add_error(None, "Add at least one activity: what will be done, by whom, by when.")
            return False
        return form_ok and activities_ok

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The period must end after it starts.")
        return data

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["principle_version"] = data.pop("principle")
        data["activities"] = self._filled_activities()
        data["self_assessments"] = pop_assessments(data, self.principles)
        return data


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # The day before the same date `months` later: a year from 1 Sept runs to 31 Aug.
    for candidate_day in (day.day, 28):
        try:
            return datetime.date(year, month, candidate_day) - datetime.timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")


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
        label="New end of the cycle (for an extension)",
        required=False,
        widget=DateInput(),
        validators=[within_two_years],
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


class CosignForm(AccordForm):
    confirm = forms.BooleanField(label="I co-sign this on behalf of my union.")


class ReviewConfirmForm(ConfirmForm):
    comment = forms.CharField(
        label="Your comment on the review",
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything the employer wants on the record with the review: it is shown with it.",
    )

    field_order = ["comment", "confirm"]


class EmployerViewForm(AccordForm):
    """The employer's own priorities for the year ahead and its view of every principle."""

    priorities = forms.CharField(
        label="Your priorities for the year ahead",
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In your own words: what your organisation wants to work on this year.",
    )

    def __init__(
        self, *args: Any, principles: list[PrincipleVersion], prior: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.principles = principles
        add_assessment_fields(
            self, principles, prior, words="in your words", now="where you are now"
        )

    def assessment_rows(self) -> list[dict[str, Any]]:
        return assessment_rows(self, self.principles)

    def view_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "priorities": data.get("priorities", ""),
            "assessments": pop_assessments(data, self.principles),
        }
