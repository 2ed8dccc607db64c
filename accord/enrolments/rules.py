"""Who may do what with an enrolment: the predicates of the joining process.

They build on the scope helpers in `accounts.rules` (who holds which role where) and on the
process declaration. Views, templates, e-mails and the task lists all ask here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db.models import Q

from accord.accounts.models import Role, RoleAssignment, User
from accord.accounts.rules import (
    STAFF_ROLES,
    assignments,
    covers,
    is_superuser,
    is_union_staff,
    opens_page,
    sees_position,
    visible_enrolments_q,
)
from accord.organisations.models import Employer, Union
from accord.schemes.models import Material, Scheme

from .models import Enrolment, Initiator, JoinRequest, PartnerPosition, Position
from .process import EMPLOYER_LABELS, MAIN_PATH, NOT_PROCEEDING_LABEL, State, Step, step

if TYPE_CHECKING:
    from accord.core.models import AuditEvent

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def holds_for(user: AnyUser, enrolment: Enrolment, roles: Iterable[Role]) -> bool:
    """Whether the user holds one of `roles` for this enrolment's employer and scheme."""
    roles = frozenset(roles)
    return any(
        a.role in roles and covers(a, enrolment.employer, enrolment.scheme)
        for a in assignments(user)
    )


def _covering(enrolment: Enrolment, roles: Iterable[Role]) -> list[RoleAssignment]:
    """The active users' assignments of `roles` that cover this enrolment's employer."""
    employer = enrolment.employer
    association = employer.association
    near = (
        Q(employer=employer)
        | Q(employer__parent=employer)
        | Q(role=Role.NATIONAL_OFFICER, union=enrolment.scheme.lead_union_id)
        | Q(role=Role.AUDITOR)
    )
    if association is not None:
        near |= Q(association=association) | Q(district=association.district_id)
        near |= Q(region=association.region_id)
    candidates = (
        RoleAssignment.objects.filter(near, role__in=list(roles), user__is_active=True)
        .select_related("user", "union", "employer__parent", "association", "district", "region")
        .order_by("id")
    )
    return [a for a in candidates if covers(a, employer, enrolment.scheme)]


def role_holders(
    enrolment: Enrolment,
    roles: Iterable[Role],
    guard: Callable[[RoleAssignment], bool] | None = None,
) -> list[User]:
    """The active users holding any of `roles` for this enrolment's employer and scheme."""
    roles = frozenset(roles)
    return _holders(_covering(enrolment, roles), roles, guard)


def _holders(
    covering: list[RoleAssignment],
    roles: Iterable[Role],
    guard: Callable[[RoleAssignment], bool] | None,
) -> list[User]:
    roles = frozenset(roles)
    users: dict[int, User] = {}
    for a in covering:
        if a.role in roles and (guard is None or guard(a)):
            users.setdefault(a.user_id, a.user)
    return list(users.values())


def _employer_may_see(enrolment: Enrolment) -> bool:
    return enrolment.initiated_by == Initiator.EMPLOYER or bool(enrolment.approach_method)


@opens_page("enrolments.Enrolment")
def can_view_enrolment(user: AnyUser, enrolment: Enrolment) -> bool:
    for a in assignments(user):
        if covers(a, enrolment.employer, enrolment.scheme) and (
            a.role != Role.EMPLOYER_CONTACT or _employer_may_see(enrolment)
        ):
            return True
    return False


def state_label(user: AnyUser, enrolment: Enrolment) -> str:
    """The enrolment's state as this user may know it."""
    if can_see_internal(user, enrolment):
        return enrolment.get_state_display()
    return EMPLOYER_LABELS.get(enrolment.state_enum, NOT_PROCEEDING_LABEL)


def can_see_internal(user: AnyUser, enrolment: Enrolment) -> bool:
    """Union deliberations (NEM objections, partner positions, notes): union roles only."""
    return holds_for(user, enrolment, STAFF_ROLES)


# The steps whose note is a union's position: the lead union's (its local secretary's and
# NEM's decisions) or, for a partner union's, the union named in the event's changes.
LEAD_POSITION_STEPS = frozenset(
    {"endorse", "decline", "record_no_objection", "record_objection", "reopen_discussion"}
)
PARTNER_POSITION_STEPS = frozenset({"record_partner_position", "mark_not_represented"})
# Closures whose reason is a union's position.
LEAD_POSITION_CLOSURES = frozenset({State.DECLINED, State.OBJECTED})


def can_see_position(user: AnyUser, enrolment: Enrolment, union_id: int | None) -> bool:
    """Whether the user reads the position (and reasons) of union `union_id` on this case; None
    asks for every union's. See `accounts.rules.sees_position`."""
    return sees_position(user, enrolment.employer, enrolment.scheme, union_id)


def shown_positions(
    user: AnyUser, enrolment: Enrolment
) -> list[tuple[Union, PartnerPosition | None, bool]]:
    """The partner unions with each one's position and whether the user may read it."""
    everything = can_see_position(user, enrolment, None)
    positions = enrolment.positions_by_union
    return [
        (union, positions.get(union.pk), everything or can_see_position(user, enrolment, union.pk))
        for union in enrolment.scheme.partner_unions.all()
    ]


def can_see_closed_reason(user: AnyUser, enrolment: Enrolment) -> bool:
    """A closure's reason, where it is a union's position, only for those who read that
    union's position; other closures' reasons for anyone who sees internal deliberations."""
    if not can_see_internal(user, enrolment):
        return False
    if enrolment.state in LEAD_POSITION_CLOSURES:
        return can_see_position(user, enrolment, enrolment.scheme.lead_union_id)
    if enrolment.state == State.PARTNER_DISAGREED:
        return any(
            p.position == Position.DISAGREE and can_see_position(user, enrolment, p.union_id)
            for p in enrolment.positions_by_union.values()
        )
    return True


def _position_in(event: AuditEvent, enrolment: Enrolment) -> tuple[bool, int | None]:
    """Whether a timeline event records a union's position, and whose (None: not known, so
    only those who read every union's)."""
    name = event.action.removeprefix("enrolment.")
    if name in LEAD_POSITION_STEPS:
        return True, enrolment.scheme.lead_union_id
    if name in PARTNER_POSITION_STEPS:
        named = {u.short_name: u.pk for u in enrolment.scheme.partner_unions.all()}
        for key in event.changes or {}:
            if key.startswith("position:"):
                return True, named.get(key.removeprefix("position:"))
        return True, None
    return False, None


def shown_note(user: AnyUser, enrolment: Enrolment, event: AuditEvent) -> str:
    """A timeline event's note as the user may read it: a union's position only for those who
    read that union's."""
    records_position, union_id = _position_in(event, enrolment)
    if not records_position or can_see_position(user, enrolment, union_id):
        return event.note
    return ""


def step_assignments(
    user: AnyUser,
    enrolment: Enrolment | None,
    step: Step,
    employer: Employer | None = None,
    scheme: Scheme | None = None,
) -> list[RoleAssignment]:
    """The user's assignments under which they may take `step` now (empty: they may not)."""
    state = enrolment.state if enrolment is not None else None
    if state not in step.sources:
        return []
    employer = enrolment.employer if enrolment is not None else employer
    scheme = enrolment.scheme if enrolment is not None else scheme
    if employer is None or scheme is None:
        return []
    return [
        a
        for a in assignments(user)
        if a.role in step.roles
        and covers(a, employer, scheme)
        and (enrolment is None or step.guard(enrolment, a))
    ]


def holds_step_role(user: AnyUser, enrolment: Enrolment, step: Step) -> bool:
    """Whether the user holds a role for `step` here, whether or not it waits on them now."""
    return holds_for(user, enrolment, step.roles)


def can_take_step(user: AnyUser, enrolment: Enrolment, step: Step) -> bool:
    return bool(step_assignments(user, enrolment, step))


def approach_documents_ready(enrolment: Enrolment) -> bool:
    """The joint letter and the agenda item: from partner agreement onwards, while open."""
    state = enrolment.state_enum
    return state in MAIN_PATH and MAIN_PATH.index(state) >= MAIN_PATH.index(State.AGREED)


def can_see_approach_documents(user: AnyUser, enrolment: Enrolment) -> bool:
    """Union roles, once the documents are ready: the pages, the .docx and the PDF alike."""
    return can_see_internal(user, enrolment) and approach_documents_ready(enrolment)


def can_address_letter(user: AnyUser, enrolment: Enrolment) -> bool:
    """Whoever approaches the employer (the local secretary) names whom the letter goes to."""
    return approach_documents_ready(enrolment) and holds_step_role(
        user, enrolment, step("record_approach")
    )


def can_propose(user: AnyUser, employer: Employer, scheme: Scheme) -> bool:
    return bool(step_assignments(user, None, step("propose"), employer, scheme))


# The people of both sides at a member: the union roles there and the employer's contacts.
PARTIES = (Role.WORKPLACE_REP, Role.LOCAL_SECRETARY, Role.PARTNER_REP, Role.EMPLOYER_CONTACT)


def is_party(user: AnyUser, enrolment: Enrolment) -> bool:
    return holds_for(user, enrolment, PARTIES)


def can_post_progress(user: AnyUser, enrolment: Enrolment) -> bool:
    """Either side posts progress and evidence on a member's activities, while the enrolment
    is open (a withdrawal closes it, and the membership with it)."""
    return not enrolment.is_closed and is_party(user, enrolment)


def recipients_for(step: Step, enrolment: Enrolment) -> list[User]:
    """Everyone who may now take `step` on `enrolment`: the people it waits for."""
    return role_holders(enrolment, step.roles, lambda a: step.guard(enrolment, a))


def recipients_for_each(steps: Iterable[Step], enrolment: Enrolment) -> list[list[User]]:
    """`recipients_for` each of `steps`, the role holders read once for them all."""
    steps = list(steps)
    covering = _covering(enrolment, {role for s in steps for role in s.roles}) if steps else []
    return [_holders(covering, s.roles, lambda a, s=s: s.guard(enrolment, a)) for s in steps]


def can_open_material(user: AnyUser, material: Material) -> bool:
    """A scheme's material: public ones for anyone; others for union staff, and for the
    contacts of an employer whose enrolment (or membership) in that scheme they can see."""
    if material.removed_at is not None:
        return False
    if material.public or is_union_staff(user) or is_superuser(user):
        return True
    contacts = visible_enrolments_q(user, [Role.EMPLOYER_CONTACT])
    if contacts is None:
        return False
    return Enrolment.objects.filter(contacts, scheme_id=material.scheme_id).exists()


# --- employers' requests to join ----------------------------------------------------------


def can_handle_join_request(user: AnyUser, join_request: JoinRequest) -> bool:
    """The local secretary of the request's association turns it into a proposal or closes it;
    national officers of the scheme may close any (they take up those nobody else can)."""
    lead = join_request.scheme.lead_union_id
    return any(
        a.union_id == lead
        and (
            a.role == Role.NATIONAL_OFFICER
            or (
                a.role == Role.LOCAL_SECRETARY
                and join_request.association_id is not None
                and a.association_id == join_request.association_id
            )
        )
        for a in assignments(user)
    )


def can_propose_from_join_request(user: AnyUser, join_request: JoinRequest) -> bool:
    """Only the local secretary of the request's association turns it into a proposal."""
    return join_request.association_id is not None and any(
        a.role == Role.LOCAL_SECRETARY
        and a.union_id == join_request.scheme.lead_union_id
        and a.association_id == join_request.association_id
        for a in assignments(user)
    )


@opens_page("enrolments.JoinRequest")
def can_view_join_request(user: AnyUser, join_request: JoinRequest) -> bool:
    return can_handle_join_request(user, join_request) or any(
        a.role == Role.AUDITOR for a in assignments(user)
    )
