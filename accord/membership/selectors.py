"""Reads of members that pages share: enrolments with their cycles, each cycle's activities,
reviews and self-assessments loaded up front."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from accord.actions.models import Action
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment

from .models import Cycle, Review, SelfAssessment

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def _cycles(*, detail: bool) -> QuerySet:
    cycles = Cycle.objects.select_related("principle_version__principle")
    if detail:
        cycles = cycles.select_related("union_confirmed_by", "employer_confirmed_by")
        cycles = cycles.prefetch_related(
            Prefetch("reviews", queryset=Review.objects.prefetch_related("objectives")),
            Prefetch("actions", queryset=Action.objects.order_by("number")),
            Prefetch(
                "self_assessments",
                queryset=SelfAssessment.objects.select_related("principle_version__principle"),
            ),
        )
    return cycles


def enrolments(*, detail: bool = False) -> QuerySet[Enrolment]:
    return enrolment_selectors.enrolments(detail=detail, cycles=_cycles(detail=detail))


def visible_enrolments(user: AnyUser, *, detail: bool = False) -> QuerySet[Enrolment]:
    """The enrolments `user` may see; with `detail`, each cycle's activities, reviews and
    assessments too."""
    return enrolment_selectors.visible_enrolments(
        user, detail=detail, cycles=_cycles(detail=detail)
    )


def enrolment_detail(pk: int) -> Enrolment:
    return enrolment_selectors.enrolment_detail(pk, cycles=_cycles(detail=True))


def enrolment_for_update(pk: int) -> Enrolment:
    """Lock the enrolment's row, then read it with its cycles in full (see the enrolments'
    selector of the same name)."""
    return enrolment_selectors.enrolment_for_update(pk, cycles=_cycles(detail=True))
