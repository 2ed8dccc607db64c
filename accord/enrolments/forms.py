"""One form per kind of step; `process.Step.form` names which. Forms check the shape of the
input; the rules of the process are checked by the services, whose errors land on fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accord.accounts.models import RoleAssignment, User
from accord.core.forms import AccordForm, AccordModelForm
from accord.core.uploads import size_text
from accord.organisations.models import Employer, EmployerKind, LocalAuthority, Union
from accord.schemes.models import Material, Scheme

from .models import LOGO_TERMS, ApproachMethod, Enrolment, Initiator, JoinRequest, Position

LONG_TEXT = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")


# A cycle is a year: a new end or review date is agreed for months ahead, never decades.
FURTHEST_AHEAD = datetime.timedelta(days=2 * 366)


def within_two_years(value: datetime.date) -> None:
    if value > timezone.localdate() + FURTHEST_AHEAD:
        raise forms.ValidationError("The date must be within two years from today.")


class StepForm(AccordForm):
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


def text_field(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
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
    reason = text_field("Why is the employer suitable for the scheme?")
    exception_reason = text_field(
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
    note = text_field("Note", required=False)


class NoteRequiredForm(StepForm):
    note = text_field("Note", help_text="Internal: union roles only, never the employer.")


class ReasonForm(StepForm):
    reason = text_field("Reasons")


class DatedNoteForm(StepForm):
    date = forms.DateField(widget=DateInput(), validators=[not_in_future])
    note = text_field("Note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class InitialMeetingForm(StepForm):
    held_on = forms.DateField(
        label="Date of the meeting", widget=DateInput(), validators=[not_in_future]
    )
    attendees = text_field("Who attended", help_text="Names and roles, one per line.")
    notes = text_field("Notes", required=False)


class PartnerPositionForm(StepForm):
    """A partner rep records their own union's position."""

    position = forms.ChoiceField(
        choices=[c for c in Position.choices if c[0] != Position.NOT_REPRESENTED],
        widget=forms.RadioSelect,
    )
    reason = text_field("Reasons", required=False, help_text="Required if the union disagrees.")


class NotRepresentedForm(StepForm):
    """The local secretary marks a partner union as not represented locally."""

    union = forms.ModelChoiceField(queryset=Union.objects.none(), label="Partner union")
    note = text_field("Note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.enrolment is not None:
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
    note = text_field("Note", required=False)

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


class LetterAddresseeForm(AccordForm):
    """Whom the joint letter is addressed to: empty for "Dear Sir or Madam"."""

    addressee_name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="The head teacher or chief executive, with their title: for example, "
        "Mrs Jane Oak, which the letter addresses in full and greets as “Dear Mrs Oak”. "
        "Without a title the letter greets the full name. Leave empty to write "
        "“Dear Sir or Madam”.",
    )
    addressee_job_title = forms.CharField(
        label="Job title",
        max_length=200,
        required=False,
        help_text="For example, Head Teacher or Chief Executive.",
    )


class LetterTemplateForm(AccordForm):
    template = forms.FileField(
        label="Word template (.docx)",
        error_messages={
            "required": "Choose the Word template (.docx) to upload.",
            "empty": "The template file is empty: choose the file again.",
        },
        help_text="A Word document (.docx) no larger than "
        f"{size_text(settings.SCHEME_MATERIAL_MAX_BYTES)}, holding every placeholder of the "
        "standard template.",
    )


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
    note = text_field("Note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.enrolment is not None:
            self.fields["materials_sent"].queryset = self.enrolment.scheme.materials.current()


class ConfirmCommitmentForm(StepForm):
    confirm = forms.BooleanField(
        label="I confirm the commitment as drafted on behalf of the unions."
    )
    note = text_field("Note", required=False)


class CosignCommitmentForm(StepForm):
    confirm = forms.BooleanField(label="I confirm the commitment as drafted on behalf of my union.")
    note = text_field("Note", required=False)


class EmployerConfirmForm(StepForm):
    confirm = forms.BooleanField(
        label="I confirm the commitment as drafted on behalf of the employer."
    )
    accept_logo_terms = forms.BooleanField(label=f"We accept the logo terms: {LOGO_TERMS}")
    note = text_field("Note", required=False)


class ListingForm(StepForm):
    listed_on = forms.DateField(
        label="Listed on the register on", widget=DateInput(), validators=[not_in_future]
    )
    logo_sent_on = forms.DateField(
        label="Logo sent on", widget=DateInput(), validators=[not_in_future]
    )
    note = text_field("Note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listed_on"].initial = self.fields["logo_sent_on"].initial = (
            timezone.localdate()
        )


# The forms that `process.Step.form` may name, each by its name. Membership, above, adds the
# commitment form (a cycle's terms) when it is ready: see membership/steps.py.
STEP_FORMS: dict[str, type[StepForm]] = {
    "ProposeForm": ProposeForm,
    "NoteForm": NoteForm,
    "NoteRequiredForm": NoteRequiredForm,
    "ReasonForm": ReasonForm,
    "DatedNoteForm": DatedNoteForm,
    "InitialMeetingForm": InitialMeetingForm,
    "PartnerPositionForm": PartnerPositionForm,
    "NotRepresentedForm": NotRepresentedForm,
    "ApproachForm": ApproachForm,
    "IntroductionForm": IntroductionForm,
    "ConfirmCommitmentForm": ConfirmCommitmentForm,
    "CosignCommitmentForm": CosignCommitmentForm,
    "EmployerConfirmForm": EmployerConfirmForm,
    "ListingForm": ListingForm,
}


def form_class(name: str) -> type[StepForm]:
    """The form a step asks with; a name that is not a step form is a LookupError."""
    return STEP_FORMS[name]


# --- an employer's request to join, and the secretary's answer -----------------------------


class JoinRequestForm(AccordModelForm):
    """The public form. `website` is a trap for robots: people never see it, so a request
    that fills it in is dropped without a word."""

    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = JoinRequest
        fields = [
            "scheme",
            "employer_name",
            "kind",
            "local_authority",
            "urn",
            "contact_name",
            "job_title",
            "email",
            "phone",
            "message",
        ]
        labels = {
            "employer_name": "Name of the employer",
            "kind": "Kind of employer",
            "local_authority": "Local authority area",
            "urn": "URN",
            "contact_name": "Your name",
            "job_title": "Your job title",
            "phone": "Phone number",
            "message": "Your message",
        }
        help_texts = {
            "employer_name": "The school, trust, council or other body that employs the staff.",
            "urn": "A school's unique reference number, if it has one: it helps us find it.",
            "email": "We reply to this address.",
            "message": "Tell us a little about the employer and why it would like to join.",
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schemes = list(Scheme.objects.all())
        scheme = self.fields["scheme"]
        scheme.empty_label = None
        if len(schemes) == 1:
            scheme.initial = schemes[0].pk
            scheme.widget = forms.HiddenInput()
        self.fields["kind"].choices = [("", "Choose the kind"), *EmployerKind.choices]
        local_authority = self.fields["local_authority"]
        local_authority.queryset = LocalAuthority.objects.order_by("name")
        local_authority.empty_label = "Choose the area"
        self.fields["message"].max_length = LONG_TEXT
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"

    def clean_urn(self) -> str:
        urn = self.cleaned_data["urn"].strip()
        if urn and not urn.isdigit():
            raise forms.ValidationError("A URN is made of digits only, such as 100001.")
        return urn

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class JoinRequestProposeForm(AccordForm):
    employer = forms.ChoiceField(
        label="Which employer is it?", widget=forms.RadioSelect, choices=()
    )
    reason = text_field("Why is the employer suitable for the scheme?")
    exception_reason = text_field(
        "Reason for an exception",
        required=False,
        help_text="Only for a school inside an academy trust: why it should join on its own.",
    )

    def __init__(self, *args: Any, candidates: list[Employer], new_name: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = {str(e.pk): e for e in candidates}
        choices = [
            (key, f"{e.name}{f' (URN {e.urn})' if e.urn else ''}")
            for key, e in self.candidates.items()
        ]
        choices.append(("new", f"None of these: add {new_name} as a new employer"))
        self.fields["employer"].choices = choices
        self.fields["employer"].initial = choices[0][0]

    def chosen_employer(self) -> Employer | None:
        return self.candidates.get(self.cleaned_data["employer"])


class JoinRequestCloseForm(AccordForm):
    reason = text_field(
        "Why is the request closed?",
        help_text="For example: a duplicate, or not an employer the scheme is for.",
    )
