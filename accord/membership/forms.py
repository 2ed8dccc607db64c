"""Forms for changing a membership's status."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.core.forms import AccordForm
from accord.enrolments.forms import LONG_TEXT, DateInput, not_in_future


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
