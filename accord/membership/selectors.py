"""Reads of members that pages share: enrolments with their cycles, each cycle's activities,
reviews and self-assessments loaded up front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accord.actions.models import Action
from accord.enrolments import inline
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment

from .models import Cycle, EmployerAssessment, Membership, Review, SelfAssessment

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


def _progress_cycles() -> QuerySet:
    """Cycles as the progress picture reads them: reviews and self-assessments."""
    return Cycle.objects.select_related("principle_version__principle").prefetch_related(
        "reviews",
        Prefetch(
            "self_assessments",
            queryset=SelfAssessment.objects.select_related("principle_version__principle"),
        ),
    )


def visible_enrolments_with_progress(user: AnyUser) -> QuerySet[Enrolment]:
    """The enrolments `user` may see with what the progress picture reads, their schemes left
    to the caller (`enrolments.selectors.with_schemes`)."""
    return enrolment_selectors.visible_enrolments(user, cycles=_progress_cycles(), schemes=False)


def enrolments(*, detail: bool = False) -> QuerySet[Enrolment]:
    return enrolment_selectors.enrolments(detail=detail, cycles=_cycles(detail=detail))


def visible_enrolments(user: AnyUser, *, detail: bool = False) -> QuerySet[Enrolment]:
    """The enrolments `user` may see; with `detail`, each cycle's activities, reviews and
    assessments too."""
    return enrolment_selectors.visible_enrolments(
        user, detail=detail, cycles=_cycles(detail=detail)
    )


def _has_earlier_enrolment() -> Exists:
    """Whether the employer was enrolled in the scheme before (the principles it met then
    still count): `cycles.principles_met` reads it."""
    return Exists(
        Enrolment.objects.filter(
            employer_id=OuterRef("employer_id"), scheme_id=OuterRef("scheme_id")
        ).exclude(pk=OuterRef("pk"))
    )


def employer_views_read() -> Any:
    """The enrolment's employer's views, every principle's row with its view's own fields, read
    in the enrolment's query (`employer_voice.views_of` reads them)."""
    return inline.child_rows(
        EmployerAssessment.objects.all(),
        "view__enrolment",
        id="id",
        principle_version_id="principle_version_id",
        principle_number="principle_version__principle__number",
        principle_title="principle_version__principle__short_title",
        readiness="readiness",
        priority="priority",
        narrative="narrative",
        view_id="view_id",
        cycle_number="view__cycle_number",
        priorities="view__priorities",
        updated_at="view__updated_at",
        updated_by_id="view__updated_by_id",
        updated_by_name="view__updated_by__full_name",
        updated_by_email="view__updated_by__email",
    )


def enrolment_page(pk: int) -> Enrolment:
    """The enrolment as its page shows it: its cycles in full, and with it, in one query, its
    joining record, its membership (`loaded_membership`) and whether the employer was enrolled
    in the scheme before (the principles it met then still count)."""
    fields = {f.attname: f.attname for f in MEMBERSHIP_SHOWN}
    return (
        enrolment_selectors.with_joining_record(
            enrolment_selectors.enrolments(cycles=_cycles(detail=True))
        )
        .annotate(
            has_earlier_enrolment=_has_earlier_enrolment(),
            membership_read=inline.child_row(Membership.objects.all(), "enrolment", **fields),
            employer_views_read=employer_views_read(),
        )
        .get(pk=pk)
    )


# What the enrolment page shows of a membership, and the rules about it read.
MEMBERSHIP_SHOWN = [
    Membership._meta.get_field(name)
    for name in (
        "id",
        "scheme",
        "employer",
        "enrolment",
        "reference",
        "status",
        "member_since",
        "status_since",
        "status_reason",
        "logo_stop_requested_on",
    )
]


def loaded_membership(enrolment: Enrolment) -> Membership | None:
    """The membership read with `enrolment_page`, with its scheme, employer and enrolment."""
    rows = [enrolment.membership_read] if enrolment.membership_read else []
    found = inline.instances(Membership, rows)
    if not found:
        return None
    membership = found[0]
    membership.scheme, membership.employer = enrolment.scheme, enrolment.employer
    membership.enrolment = enrolment
    return membership


def enrolment_detail(pk: int) -> Enrolment:
    return enrolment_selectors.enrolment_detail(pk, cycles=_cycles(detail=True))


def with_cycles(pk: int) -> Enrolment:
    """An enrolment with its cycles alone (their principles): what the employer's view reads
    to know which cycle it may be entered for."""
    return enrolments().annotate(employer_views_read=employer_views_read()).get(pk=pk)


def member_detail(pk: int) -> Enrolment:
    """A member's enrolment with its cycles in full, for the pages of its cycles and reviews
    (the joining's meetings and materials left out)."""
    return (
        enrolment_selectors.enrolments(cycles=_cycles(detail=True))
        .annotate(
            has_earlier_enrolment=_has_earlier_enrolment(),
            employer_views_read=employer_views_read(),
        )
        .get(pk=pk)
    )


def enrolment_for_update(pk: int) -> Enrolment:
    """Lock the enrolment's row, then read it with its cycles in full (see the enrolments'
    selector of the same name)."""
    return enrolment_selectors.enrolment_for_update(pk, cycles=_cycles(detail=True))
