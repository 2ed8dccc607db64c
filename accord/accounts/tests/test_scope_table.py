"""One scope rule, two readings: `covers` (one employer in Python) and `enrolment_scope_q` (a
filter) must agree for every kind of assignment and every employer."""

from __future__ import annotations

from accord.accounts import rules
from accord.accounts.models import Role, RoleAssignment
from accord.enrolments.models import Enrolment, Initiator
from accord.organisations.models import District, Employer, EmployerKind, Region, Union
from tests.world import World


def _assignments(world: World, employers: list[Employer]) -> list[RoleAssignment]:
    """Every role, held for every union (one outside the scheme too) and every scope."""
    outsider = Union.objects.create(name="Outside Union", short_name="OU", slug="ou")
    unions = [*world.unions.values(), outsider]
    associations = [world.association, world.other_association]
    scopes: dict[Role, list[dict]] = {
        Role.WORKPLACE_REP: [{"employer": e} for e in employers],
        Role.LOCAL_SECRETARY: [{"association": a} for a in associations],
        Role.NEM: [{"district": d} for d in District.objects.all()],
        Role.PARTNER_REP: [{"association": a} for a in associations]
        + [{"region": r} for r in Region.objects.all()],
        Role.NATIONAL_OFFICER: [{}],
        Role.EMPLOYER_CONTACT: [{"employer": e} for e in employers],
        Role.AUDITOR: [{}],
    }
    return [
        RoleAssignment(role=role, union=union, **scope)
        for role, role_scopes in scopes.items()
        for scope in role_scopes
        for union in unions
    ]


def test_covers_and_the_scope_filter_agree_for_every_assignment_and_employer(
    world: World,
) -> None:
    unassociated = Employer.objects.create(
        name="Nowhere Trust", kind=EmployerKind.ACADEMY_TRUST, gias_group_uid="9999"
    )
    southern_academy = Employer.objects.create(
        name="South Academy",
        urn="200002",
        parent=world.trust,
        association=world.other_association,
    )
    employers = [
        world.employer,
        world.trust,
        world.academy,
        world.other_employer,
        unassociated,
        southern_academy,
    ]
    # Asked to join by the employer, so that an employer contact's view is the scope alone.
    for employer in employers:
        Enrolment.objects.create(
            scheme=world.scheme,
            employer=employer,
            initiated_by=Initiator.EMPLOYER,
            proposed_by=world.users["secretary"],
        )
    assignments = _assignments(world, employers)
    assert len(assignments) > 100
    for a in assignments:
        by_filter = set(
            Enrolment.objects.filter(rules.enrolment_scope_q(a)).values_list(
                "employer_id", flat=True
            )
        )
        by_covers = {e.pk for e in employers if rules.covers(a, e, world.scheme)}
        assert by_covers == by_filter, (a.role, a.union, a.scope_label)
