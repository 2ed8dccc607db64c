"""Reads of members that pages share: enrolments with their cycles, each cycle's activities,
reviews and self-assessments loaded up front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accord.accounts.models import Role
from accord.accounts.rules import assignments
from accord.actions.models import Action
from accord.enrolments import inline
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment
from accord.schemes.models import PrincipleVersion

from .models import (
    Concern,
    ConcernState,
    Cycle,
    EmployerAssessment,
    LapseDecision,
    Membership,
    ObjectiveOutcome,
    PolicyCheck,
    Review,
    SelfAssessment,
    Signature,
)

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def _signatures() -> Prefetch:
    return Prefetch("signatures", queryset=Signature.objects.select_related("union", "signed_by"))


def _cycles(*, detail: bool) -> QuerySet:
    # The partner unions' co-signatures: the joining process's guards read cycle 1's.
    cycles = Cycle.objects.select_related("principle_version__principle").prefetch_related(
        _signatures()
    )
    if detail:
        cycles = cycles.select_related("union_confirmed_by", "employer_confirmed_by")
        cycles = cycles.prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.prefetch_related(_signatures()).annotate(
                    objectives_read=inline.child_rows(
                        ObjectiveOutcome.objects.all(),
                        "review",
                        id="id",
                        review_id="review_id",
                        position="position",
                        objective="objective",
                        outcome="outcome",
                    )
                ),
            ),
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
            lapse_decisions_read=inline.child_rows(
                LapseDecision.objects.all(),
                "membership__enrolment",
                **{f: f for f in LAPSE_DECISION_SHOWN},
            ),
            employer_views_read=employer_views_read(),
            policy_checks_read=inline.child_rows(
                PolicyCheck.objects.all(),
                "membership__enrolment",
                **{f: f for f in POLICY_CHECK_SHOWN},
            ),
        )
        .get(pk=pk)
    )


# The list of policy checks: "awaited" stands for those not yet assessed.
AWAITED = "awaited"


def policy_checks_search(
    user: AnyUser, *, query: str = "", assessment: str = ""
) -> QuerySet[PolicyCheck]:
    """The policy checks `user` may read (those of the members whose enrolment they see, as
    `rules.can_view_policy_check` says), found by employer name or title and by assessment
    ("awaited", or one of `Assessment`), latest logged first, with what a list shows."""
    enrolments = enrolment_selectors.visible_enrolment_rows(user)
    checks = PolicyCheck.objects.filter(membership__enrolment__in=enrolments.values("pk"))
    if query:
        checks = checks.filter(
            Q(membership__employer__name__icontains=query) | Q(title__icontains=query)
        )
    if assessment == AWAITED:
        checks = checks.filter(assessment="")
    elif assessment:
        checks = checks.filter(assessment=assessment)
    return (
        checks.select_related("membership__employer", "membership__scheme")
        .prefetch_related(
            Prefetch(
                "principles",
                queryset=PrincipleVersion.objects.select_related("principle").order_by(
                    "principle__number", "version"
                ),
            )
        )
        .order_by("-logged_at", "-id")
    )


# What the enrolment page shows of its membership's policy checks.
POLICY_CHECK_SHOWN = ("id", "title", "assessment", "logged_at")


def loaded_policy_checks(enrolment: Enrolment) -> list[PolicyCheck]:
    """The policy checks read with `enrolment_page`, latest logged first."""
    found = inline.instances(PolicyCheck, getattr(enrolment, "policy_checks_read", None))
    return sorted(found, key=lambda c: (c.logged_at, c.pk), reverse=True)


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


# What the enrolment page shows of the decisions "extend or lapse" on its membership.
LAPSE_DECISION_SHOWN = ("id", "outcome", "review_due_on", "grace_ended_on", "extended_to")


def loaded_lapse_decisions(enrolment: Enrolment) -> list[LapseDecision]:
    """The decisions read with `enrolment_page`, latest first."""
    found = inline.instances(LapseDecision, getattr(enrolment, "lapse_decisions_read", None))
    return sorted(found, key=lambda d: (d.grace_ended_on, d.pk), reverse=True)


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


def member_detail(pk: int | None = None, **match: int) -> Enrolment:
    """A member's enrolment with its cycles in full, for the pages of its cycles and reviews
    (the joining's meetings and materials left out): enrolment `pk`, or the one that `match`
    finds (`cycles__pk=...`, `cycles__reviews__pk=...`), in the same one query."""
    found = enrolment_selectors.enrolments(cycles=_cycles(detail=True)).annotate(
        has_earlier_enrolment=_has_earlier_enrolment(),
        employer_views_read=employer_views_read(),
    )
    return found.get(pk=pk) if pk is not None else found.get(**match)


def enrolment_for_update(pk: int) -> Enrolment:
    """Lock the enrolment's row, then read it with its cycles in full (see the enrolments'
    selector of the same name)."""
    return enrolment_selectors.enrolment_for_update(pk, cycles=_cycles(detail=True))


# --- concerns --------------------------------------------------------------------------------


def _concern_roles(user: AnyUser) -> tuple[set[int], set[int]]:
    """The unions the user is a national officer of, and the employers they are a contact for."""
    unions, employers = set(), set()
    for a in assignments(user):
        if a.role == Role.NATIONAL_OFFICER:
            unions.add(a.union_id)
        elif a.role == Role.EMPLOYER_CONTACT:
            employers.add(a.employer_id)
    return unions, employers


def concerns_for(user: AnyUser) -> QuerySet[Concern]:
    """The concerns the user may know of, newest first: as an officer, the confirmed concerns
    about members of the schemes their union leads; as an employer contact, those put to their
    employer; and those they raised themselves."""
    if not user.is_authenticated:
        return Concern.objects.none()
    unions, employers = _concern_roles(user)
    condition = Q(raised_by=user)
    if unions:
        condition |= Q(membership__scheme__lead_union_id__in=unions) & ~Q(
            state__in=[ConcernState.UNCONFIRMED, ConcernState.EXPIRED]
        )
    if employers:
        condition |= Q(put_at__isnull=False, membership__employer_id__in=employers)
    return Concern.objects.filter(condition).select_related(
        "membership__employer", "membership__scheme"
    )


def concern_tasks(user: AnyUser) -> list[tuple[Concern, str]]:
    """The concerns waiting on the user, and what each waits for: officers consider new ones,
    decide once the employer has responded or its deadline has passed, and decide appeals of
    each other's decisions; the employer's contact responds by the deadline."""
    unions, employers = _concern_roles(user)
    if not unions and not employers:
        return []
    today = timezone.localdate()
    S = ConcernState
    rows: list[tuple[Concern, str]] = []
    if unions:
        mine = Concern.objects.filter(membership__scheme__lead_union_id__in=unions)
        waiting = mine.filter(
            Q(state__in=[S.OPEN, S.RESPONDED])
            | Q(state=S.PUT_TO_EMPLOYER, response_due_on__lt=today)
            | (Q(state=S.APPEALED) & ~Q(decided_by=user))
        )
        for concern in waiting.select_related("membership__employer").order_by("raised_at"):
            if concern.state == S.OPEN:
                label = "Consider the new concern: put it to the employer or decide"
            elif concern.state == S.RESPONDED:
                label = "Decide the concern: the employer has responded"
            elif concern.state == S.PUT_TO_EMPLOYER:
                label = "Decide the concern: the response deadline has passed"
            else:
                label = "Decide the appeal"
            rows.append((concern, label))
    if employers:
        asked = Concern.objects.filter(
            state=S.PUT_TO_EMPLOYER, membership__employer_id__in=employers
        ).select_related("membership__employer")
        for concern in asked.order_by("response_due_on"):
            rows.append((concern, f"Respond to the concern by {concern.response_due_on:%-d %B %Y}"))
        # Remedies agreed and still open: the employer carries them out, the next due first.
        next_due = Action.objects.open().filter(concern=OuterRef("pk")).order_by("due_on")
        remedied = (
            Concern.objects.filter(membership__employer_id__in=employers, put_at__isnull=False)
            .annotate(next_due=Subquery(next_due.values("due_on")[:1]))
            .filter(next_due__isnull=False)
            .select_related("membership__employer")
        )
        for concern in remedied.order_by("next_due"):
            due = f"{concern.next_due:%-d %B %Y}"
            rows.append((concern, f"Carry out the remedies agreed: the next is due on {due}"))
    return rows
