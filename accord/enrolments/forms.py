"""One form per kind of step; `process.Step.form` names which. Forms check the shape of the
input; the rules of the process are checked by the services, whose errors land on fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment, User
from accord.membership.models import Priority, Readiness
from accord.organisations.models import Union
from accord.schemes.models import Material, PrincipleVersion, Scheme

from .models import ApproachMethod, Enrolment, Initiator, Position

LONG_TEXT = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")


class StepForm(forms.Form):
    """A form for a step on an enrolment, taken by `user` under `assignment`."""

    def __init__(
        self,
        *args: Any,
        enrolment: Enrolment | None,
        user: User,
        assignment: RoleAssignment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.user = user
        self.assignment = assignment

    def step_data(self) -> dict[str, Any]:
        """What the service needs, once the form is valid."""
        return dict(self.cleaned_data)


def _text(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONG_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ProposeForm(StepForm):
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.all(), empty_label=None)
    initiated_by = forms.ChoiceField(
        label="Who started this?", choices=Initiator.choices, widget=forms.RadioSelect
    )
    reason = _text("Why is the employer suitable for the scheme?")
    exception_reason = _text(
        "Reason for an exception",
        required=False,
        help_text="Only for a school inside an academy trust: why it should join on its own.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schemes = Scheme.objects.all()
        if len(schemes) == 1:
            self.fields["scheme"].initial = schemes[0].pk


class NoteForm(StepForm):
    note = _text("Note (optional)", required=False)


class NoteRequiredForm(StepForm):
    note = _text("Note", help_text="Internal: union roles only, never the employer.")


class ReasonForm(StepForm):
    reason = _text("Reasons")


class DatedNoteForm(StepForm):
    date = forms.DateField(widget=DateInput(), validators=[not_in_future])
    note = _text("Note (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class InitialMeetingForm(StepForm):
    held_on = forms.DateField(
        label="Date of the meeting", widget=DateInput(), validators=[not_in_future]
    )
    attendees = _text("Who attended", help_text="Names and roles, one per line.")
    notes = _text("Notes", required=False)


class PartnerPositionForm(StepForm):
    union = forms.ModelChoiceField(queryset=Union.objects.none(), label="Partner union")
    position = forms.ChoiceField(choices=Position.choices, widget=forms.RadioSelect)
    reasons = _text("Reasons", required=False, help_text="Required if the union disagrees.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.assignment is not None and self.assignment.role == Role.PARTNER_REP:
            # A partner rep speaks for their own union only.
            del self.fields["union"]
            self.fields["position"].choices = [
                c for c in Position.choices if c[0] != Position.NOT_REPRESENTED
            ]
        elif self.enrolment is not None:
            pending = self.enrolment.pending_partner_union_ids()
            self.fields["union"].queryset = Union.objects.filter(pk__in=pending)


class ApproachForm(StepForm):
    approach_method = forms.ChoiceField(
        label="How was the employer approached?",
        choices=ApproachMethod.choices,
        widget=forms.RadioSelect,
    )
    jcc_name = forms.CharField(label="JCC or equivalent", max_length=200, required=False)
    jcc_meeting_date = forms.DateField(
        label="Date of the JCC meeting", required=False, widget=DateInput()
    )
    letter_date = forms.DateField(
        label="Date of the joint letter", required=False, widget=DateInput()
    )
    note = _text("Note (optional)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("approach_method") == ApproachMethod.JCC:
            for name in ("jcc_name", "jcc_meeting_date"):
                if not data.get(name):
                    self.add_error(name, "Required for an approach through the JCC.")
            data["letter_date"] = None
        elif data.get("approach_method") == ApproachMethod.JOINT_LETTER:
            if not data.get("letter_date"):
                self.add_error("letter_date", "Required for a joint letter.")
            data["jcc_name"], data["jcc_meeting_date"] = "", None
        return data


class IntroductionForm(StepForm):
    introduced_on = forms.DateField(
        label="Date the scheme was presented", widget=DateInput(), validators=[not_in_future]
    )
    materials_sent = forms.ModelMultipleChoiceField(
        queryset=Material.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Materials sent to the employer",
    )
    note = _text("Note (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.enrolment is not None:
            self.fields["materials_sent"].queryset = self.enrolment.scheme.materials.all()


class ActivityForm(forms.Form):
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
    objectives = _text("Objectives", help_text="One objective per line: each is reviewed.")
    success_criteria = _text("Success criteria")
    starts_on = forms.DateField(label="Period starts", widget=DateInput())
    ends_on = forms.DateField(label="Period ends", widget=DateInput())
    note = _text("Note (optional)", required=False)

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
        self.fields["principle"].label_from_instance = lambda v: (
            f"{v.principle.number}. {v.wording}"
        )
        if cycle == "first":
            cycle = enrolment.first_cycle
        existing = {}
        if cycle is not None:
            existing = {s.principle_version_id: s for s in cycle.self_assessments.all()}
        for version in self.principles:
            n = version.principle.number
            prior = existing.get(version.pk)
            self.fields[f"readiness_{n}"] = forms.ChoiceField(
                label=f"Principle {n}: where the employer is now",
                choices=[("", "Choose…"), *Readiness.choices],
                initial=prior.readiness if prior else "",
            )
            self.fields[f"priority_{n}"] = forms.ChoiceField(
                label=f"Principle {n}: priority for the year ahead",
                choices=[("", "Choose…"), *Priority.choices],
                initial=prior.priority if prior else "",
            )
            self.fields[f"narrative_{n}"] = forms.CharField(
                label=f"Principle {n}: the employer's words",
                max_length=LONG_TEXT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=prior.narrative if prior else "",
            )
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
        return [
            {
                "version": version,
                "readiness": self[f"readiness_{version.principle.number}"],
                "priority": self[f"priority_{version.principle.number}"],
                "narrative": self[f"narrative_{version.principle.number}"],
            }
            for version in self.principles
        ]

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
        data["self_assessments"] = [
            {
                "principle_version": version,
                "readiness": data.pop(f"readiness_{version.principle.number}"),
                "priority": data.pop(f"priority_{version.principle.number}"),
                "narrative": data.pop(f"narrative_{version.principle.number}"),
            }
            for version in self.principles
        ]
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


class ConfirmCommitmentForm(StepForm):
    confirm = forms.BooleanField(
        label="I confirm the commitment as drafted on behalf of the unions."
    )
    note = _text("Note (optional)", required=False)


class EmployerConfirmForm(StepForm):
    confirm = forms.BooleanField(
        label="I confirm the commitment as drafted on behalf of the employer."
    )
    accept_logo_terms = forms.BooleanField(
        label="We accept the logo terms: the scheme's logo may be used only while our "
        "membership is active, and we will stop using it if asked."
    )
    note = _text("Note (optional)", required=False)


class ListingForm(StepForm):
    listed_on = forms.DateField(
        label="Listed on the register on", widget=DateInput(), validators=[not_in_future]
    )
    logo_sent_on = forms.DateField(
        label="Logo sent on", widget=DateInput(), validators=[not_in_future]
    )
    note = _text("Note (optional)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listed_on"].initial = self.fields["logo_sent_on"].initial = (
            timezone.localdate()
        )


def form_class(name: str) -> type[StepForm]:
    cls = globals()[name]
    assert issubclass(cls, StepForm)
    return cls
