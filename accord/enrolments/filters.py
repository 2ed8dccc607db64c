"""The enrolment list's filter: it offers, and accepts, only states the viewer may know.

Someone who may not see union deliberations knows the internal closures only as "Not
proceeding", so that is the one choice they get for all of them; any other value they send
is ignored, never used to pick out an enrolment.

Stuck cases are found by how long a case in progress has waited at its step ("waiting more
than N days"), offered to union staff: the choices are fixed, and any other value is ignored."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.accounts import rules
from accord.core.forms import AccordForm
from accord.core.params import text_param

from .models import Enrolment
from .process import (
    EMPLOYER_LABELS,
    INTERNAL_CLOSURES,
    NOT_PROCEEDING_LABEL,
    OPEN_STATES,
    State,
)

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser

NOT_PROCEEDING = "not_proceeding"
# "Waiting more than N days" at the step a case in progress is at: the stuck cases.
WAITING_DAYS = (7, 14, 21, 30, 60, 90)
# A listed case waits for nothing: it is a member.
WAITING_STATES = OPEN_STATES - {State.LISTED}


def _stages() -> dict[str, list[State]]:
    """The stages an employer knows, each named by its first state's value, with the states
    it stands for (the unions considering a case is one stage of three states)."""
    firsts: dict[str, State] = {}
    stages: dict[str, list[State]] = {}
    for state, label in EMPLOYER_LABELS.items():
        first = firsts.setdefault(label, state)
        stages.setdefault(first.value, []).append(state)
    return stages


STAGES = _stages()


def internal_scope_q(user: AnyUser) -> Q | None:
    """The enrolments whose internal states `user` may know, or None for none at all."""
    return rules.visible_enrolments_q(user, rules.STAFF_ROLES)


def _choices(internal: bool) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", "Any")]
    if not internal:
        # In the employer's words: one choice per stage they know.
        choices += [(value, EMPLOYER_LABELS[State(value)]) for value in STAGES]
        return [*choices, (NOT_PROCEEDING, NOT_PROCEEDING_LABEL)]
    for value, label in State.choices:
        if value not in INTERNAL_CLOSURES or internal:
            choices.append((value, label))
        elif (NOT_PROCEEDING, NOT_PROCEEDING_LABEL) not in choices:
            choices.append((NOT_PROCEEDING, NOT_PROCEEDING_LABEL))
    return choices


class EnrolmentFilter(AccordForm):
    q = forms.CharField(label="Employer name", required=False)
    state = forms.ChoiceField(label="Step", required=False)
    waiting = forms.ChoiceField(label="Waiting at its step", required=False)

    def __init__(self, data: Any, *, user: AnyUser) -> None:
        super().__init__(data)
        self.internal_q = internal_scope_q(user)
        self.fields["state"].choices = _choices(self.internal_q is not None)
        waiting = [(str(days), f"More than {days} days") for days in WAITING_DAYS]
        self.fields["waiting"].choices = [("", "Any time")] + (
            waiting if self.internal_q is not None else []
        )

    def values(self) -> dict[str, str]:
        """The filters in force: each value the viewer may use, others left out (one field's
        bad value leaves the others in force)."""
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "q": text_param(self.data.get("q")),
            "state": cleaned.get("state", ""),
            "waiting": cleaned.get("waiting", ""),
        }

    def apply(self, queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        values = self.values()
        if values["q"]:
            queryset = queryset.filter(employer__name__icontains=values["q"])
        state = values["state"]
        if state == NOT_PROCEEDING:
            queryset = queryset.filter(state__in=INTERNAL_CLOSURES)
        elif state in INTERNAL_CLOSURES:
            # Known as such only where the viewer sees the deliberations.
            assert self.internal_q is not None
            queryset = queryset.filter(self.internal_q, state=state)
        elif state and self.internal_q is None:
            queryset = queryset.filter(state__in=STAGES[state])
        elif state:
            queryset = queryset.filter(state=state)
        if values["waiting"]:
            since = timezone.now() - datetime.timedelta(days=int(values["waiting"]))
            queryset = queryset.filter(state__in=WAITING_STATES, state_changed_at__lt=since)
        return queryset
