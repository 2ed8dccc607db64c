"""Reads of enrolments that pages share, with their related rows loaded up front."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from accord.accounts import rules as account_rules
from accord.core.models import AuditEvent
from accord.schemes.models import Scheme

from . import inline, rules
from .models import Enrolment, InitialMeeting, PartnerPosition
from .process import STEPS, task_states_for

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def enrolments(
    *, detail: bool = False, cycles: QuerySet | None = None, schemes: bool = True
) -> QuerySet[Enrolment]:
    """Enrolments with what the process reads loaded; `cycles` says how to load their cycles
    (membership's selectors, above, pass theirs), by default the rows alone. Without `schemes`
    the schemes are left to the caller, who has them read already (`with_schemes`)."""
    queryset = Enrolment.objects.select_related(
        "employer__parent",
        "employer__local_authority",
        "employer__association__region",
        "employer__association__district",
        "proposed_by",
    ).prefetch_related(
        Prefetch(
            "partner_positions",
            queryset=PartnerPosition.objects.select_related("union", "recorded_by"),
        ),
        Prefetch("cycles", queryset=cycles),
    )
    if schemes:
        queryset = queryset.select_related("scheme__lead_union").prefetch_related(
            "scheme__partner_unions"
        )
    if detail:
        queryset = queryset.prefetch_related(
            Prefetch(
                "initial_meetings",
                queryset=InitialMeeting.objects.select_related("recorded_by"),
            )
        )
    return queryset


def with_joining_record(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """`queryset` carrying each enrolment's initial meetings and the titles of the materials
    sent, read in the same query (`initial_meetings`, `materials_sent_titles` read them)."""
    return queryset.annotate(
        initial_meetings_read=inline.child_rows(
            InitialMeeting.objects.all(),
            "enrolment",
            id="id",
            enrolment_id="enrolment_id",
            held_on="held_on",
            attendees="attendees",
            notes="notes",
        ),
        materials_sent_read=inline.child_rows(
            Enrolment.materials_sent.through.objects.all(),
            "enrolment",
            id="material_id",
            position="material__position",
            title="material__title",
        ),
    )


def initial_meetings(enrolment: Enrolment) -> list[InitialMeeting]:
    """The meetings read by `with_joining_record`, in the order they were held."""
    meetings = inline.instances(InitialMeeting, enrolment.initial_meetings_read)
    return sorted(meetings, key=lambda m: (m.held_on, m.pk))


def materials_sent_titles(enrolment: Enrolment) -> list[str]:
    """The titles of the materials sent, read by `with_joining_record`, in the scheme's order."""
    rows = sorted(enrolment.materials_sent_read or [], key=lambda m: (m["position"], m["title"]))
    return [m["title"] for m in rows]


def visible_enrolments(
    user: AnyUser, *, detail: bool = False, cycles: QuerySet | None = None, schemes: bool = True
) -> QuerySet[Enrolment]:
    """The enrolments `user` may see, loaded as `enrolments()` says."""
    condition = account_rules.visible_enrolments_q(user)
    if condition is None:
        return Enrolment.objects.none()
    return enrolments(detail=detail, cycles=cycles, schemes=schemes).filter(condition)


def visible_enrolment_rows(user: AnyUser) -> QuerySet[Enrolment]:
    """The enrolments `user` may see, their own rows alone: for a list that shows a state."""
    condition = account_rules.visible_enrolments_q(user)
    if condition is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(condition)


def listed_enrolments(user: AnyUser) -> QuerySet[Enrolment]:
    """The enrolments `user` may see, as a list of them shows them: each one's employer and
    scheme (with the unions that decide what the viewer may know of it), without the cycles and
    partner positions that only an enrolment's own page reads."""
    return (
        visible_enrolment_rows(user)
        .select_related(
            "employer__parent",
            "employer__local_authority",
            "employer__association__region",
            "employer__association__district",
            "scheme__lead_union",
        )
        .prefetch_related("scheme__partner_unions")
    )


def with_schemes(found: Iterable[Enrolment], schemes: Iterable[Scheme]) -> list[Enrolment]:
    """`found` (read without their schemes) given their schemes from `schemes`, read once with
    their unions."""
    by_id = {scheme.pk: scheme for scheme in schemes}
    enrolments = list(found)
    for enrolment in enrolments:
        enrolment.scheme = by_id[enrolment.scheme_id]
    return enrolments


def enrolment_detail(pk: int, *, cycles: QuerySet | None = None) -> Enrolment:
    enrolment = enrolments(detail=True, cycles=cycles).get(pk=pk)
    # Materials are sent with the introduction, and only then read.
    if enrolment.introduced_on is not None:
        prefetch_related_objects([enrolment], "materials_sent")
    return enrolment


def enrolment_for_update(pk: int, *, cycles: QuerySet | None = None) -> Enrolment:
    """Lock the enrolment's row for this transaction, then read it and its cycles afresh: of
    two people acting on it at once, the second waits and then sees what the first did."""
    Enrolment.objects.select_for_update().filter(pk=pk).values_list("pk").get()
    return enrolment_detail(pk, cycles=cycles)


def timeline(enrolment: Enrolment, *, include_internal: bool) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_context(enrolment.audit_context)
    return events if include_internal else events.filter(internal=False)


# How many entries of an enrolment's timeline a page shows at once: a long history is read a
# window at a time, the latest first.
TIMELINE_WINDOW = 25


@dataclass(frozen=True)
class TimelineWindow:
    events: list[AuditEvent]  # oldest first, as the timeline reads
    number: int  # 1 for the latest entries, 2 for those before them, ...
    has_earlier: bool


def timeline_window(
    enrolment: Enrolment, *, include_internal: bool, number: int = 1
) -> TimelineWindow:
    """Window `number` of the timeline, counted back from the latest entry. One more entry than
    the window is read, to know whether earlier ones exist without counting them all."""
    start = (number - 1) * TIMELINE_WINDOW
    latest_first = timeline(enrolment, include_internal=include_internal).order_by(
        "-created_at", "-id"
    )
    events = list(latest_first[start : start + TIMELINE_WINDOW + 1])
    return TimelineWindow(
        events=events[:TIMELINE_WINDOW][::-1],
        number=number,
        has_earlier=len(events) > TIMELINE_WINDOW,
    )


def waiting_for(user: AnyUser) -> list[tuple[Enrolment, list]]:
    """Enrolments waiting on `user`, oldest first, each with the steps they may take."""
    states: set[str] = set()
    for a in account_rules.assignments(user):
        states |= task_states_for(a.role)
    candidates = (
        visible_enrolments(user).filter(state__in=states).order_by("state_changed_at", "id")
    )
    tasks = []
    for enrolment in candidates:
        steps = [s for s in STEPS if s.task and rules.can_take_step(user, enrolment, s)]
        if steps:
            tasks.append((enrolment, steps))
    return tasks
