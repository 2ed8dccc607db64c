"""Forms for concerns: raising one (signed in or from the public verification page), putting
it to the employer, the response, the decision, the appeal and its decision."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accord.core.forms import AccordForm
from accord.core.uploads import size_text
from accord.enrolments.forms import LONG_TEXT, DateInput
from accord.schemes.models import PrincipleVersion

from . import concerns
from .models import ConcernOutcome, Membership


def _text(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5}), **kwargs
    )


def _evidence() -> forms.FileField:
    return forms.FileField(
        label="Evidence",
        required=False,
        help_text="PDF, Word, Excel, PNG, JPEG, text or CSV, no larger than "
        f"{size_text(settings.EVIDENCE_MAX_BYTES)}.",
    )


class ConcernRaiseForm(AccordForm):
    """Raising a concern. The public give a name and an e-mail address, confirmed by a link;
    `website` is a trap for robots: people never see it, so a form that fills it in is
    dropped without a word."""

    raiser_name = forms.CharField(label="Your name", max_length=200)
    raiser_email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send a link to confirm the concern. Nobody outside the national "
        "officers sees your name or address.",
    )
    subject = _text(
        "What is your concern?",
        help_text="What the employer does, or fails to do, against the scheme's principles.",
    )
    principles = forms.ModelMultipleChoiceField(
        queryset=PrincipleVersion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which principles does it concern?",
        help_text="Choose any that apply.",
    )
    file = _evidence()
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, membership: Membership, public: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not public:
            del self.fields["raiser_name"], self.fields["raiser_email"], self.fields["website"]
        current = membership.scheme.current_principles()
        field = self.fields["principles"]
        field.queryset = (
            PrincipleVersion.objects.filter(pk__in=[v.pk for v in current])
            .select_related("principle")
            .order_by("principle__number")
        )
        field.label_from_instance = lambda v: f"{v.principle.number}. {v.wording}"

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PutToEmployerForm(AccordForm):
    put_note = _text(
        "What the employer is asked to answer",
        help_text="The employer reads this; it never learns who raised the concern.",
    )
    response_due_on = forms.DateField(label="Response due by", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        due = timezone.localdate() + datetime.timedelta(days=concerns.response_days())
        self.fields["response_due_on"].initial = due


class ResponseForm(AccordForm):
    response = _text("The employer's response")
    file = _evidence()


class DecisionForm(AccordForm):
    """The officer's decision; for remedies, up to REMEDY_ROWS, each an action with an owner and
    a deadline."""

    outcome = forms.ChoiceField(
        label="Decision", choices=ConcernOutcome.choices, widget=forms.RadioSelect
    )
    reasons = _text("Reasons")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, concerns.REMEDY_ROWS + 1):
            self.fields[f"remedy_{n}_detail"] = forms.CharField(
                label=f"Remedy {n}", max_length=1000, required=False
            )
            self.fields[f"remedy_{n}_owner"] = forms.CharField(
                label=f"Owner {n}", max_length=200, required=False
            )
            self.fields[f"remedy_{n}_due_on"] = forms.DateField(
                label=f"Deadline {n}", required=False, widget=DateInput()
            )
        self.guard_text_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["remedies"] = [
            {
                "detail": data.pop(f"remedy_{n}_detail", "").strip(),
                "owner": data.pop(f"remedy_{n}_owner", "").strip(),
                "due_on": data.pop(f"remedy_{n}_due_on", None),
            }
            for n in range(1, concerns.REMEDY_ROWS + 1)
        ]
        # A row with an owner or a date but no remedy is a remedy half written, never dropped.
        for n, remedy in enumerate(data["remedies"], start=1):
            if not remedy["detail"] and (remedy["owner"] or remedy["due_on"]):
                self.add_error(f"remedy_{n}_detail", f"Say what remedy {n} is, or clear its row.")
        return data


class AppealForm(AccordForm):
    grounds = _text("Why the decision should be changed")


class AppealDecisionForm(DecisionForm):
    def __init__(self, *args: Any, decided: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        field.label = "The decision after the appeal"
        field.help_text = "Choose the same decision to confirm it; remedies are for a change."
        field.initial = decided
