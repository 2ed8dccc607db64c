"""Trusts made by the GIAS import belong to the association of their schools' local authority,
so that an enrolment proposed for a trust reaches people who may take it forward."""

from __future__ import annotations

from django.core import mail

from accord.accounts.models import Role, RoleAssignment, User
from accord.demo.data import Journey
from accord.enrolments.process import State
from accord.membership.models import Membership, MembershipStatus
from accord.organisations.gias import import_gias
from accord.organisations.models import Employer
from accord.organisations.tests.test_gias_import import gias_csv, row
from tests.world import World

NORTHTOWN = {"LA (code)": "901", "LA (name)": "Northtown", "GOR (name)": "North"}
SOUTHTOWN = {"LA (code)": "902", "LA (name)": "Southtown", "GOR (name)": "South"}


def _academy(urn: str, trust: str, area: dict[str, str]) -> dict[str, str]:
    return row(urn, f"Academy {urn}", **{**area, "Trusts (code)": trust, "Trusts (name)": trust})


def _trust(uid: str) -> Employer:
    return Employer.objects.get(gias_group_uid=uid)


def test_an_imported_trust_takes_the_association_holding_most_of_its_schools(
    world: World,
) -> None:
    import_gias(
        gias_csv(
            [
                _academy("300001", "7001", SOUTHTOWN),
                _academy("300002", "7001", NORTHTOWN),
                _academy("300003", "7001", NORTHTOWN),
                _academy("300004", "7002", SOUTHTOWN),
            ]
        )
    )
    assert _trust("7001").association == world.association
    assert _trust("7002").association == world.other_association


def test_a_tie_between_associations_goes_to_the_first_by_name(world: World) -> None:
    import_gias(
        gias_csv([_academy("300011", "7003", SOUTHTOWN), _academy("300012", "7003", NORTHTOWN)])
    )
    assert _trust("7003").association == world.association  # Northtown before Southtown


def test_a_trust_without_an_association_gets_one_on_reimport(world: World) -> None:
    rows = [_academy("300021", "7004", NORTHTOWN)]
    import_gias(gias_csv(rows))
    Employer.objects.filter(gias_group_uid="7004").update(association=None)
    import_gias(gias_csv(rows))
    assert _trust("7004").association == world.association


def test_a_trust_made_by_the_import_can_be_taken_through_the_whole_process(
    world: World,
    django_capture_on_commit_callbacks,
    deliver_outbox,  # type: ignore[no-untyped-def]
) -> None:
    import_gias(
        gias_csv([_academy("300031", "7005", NORTHTOWN), _academy("300032", "7005", NORTHTOWN)])
    )
    trust = _trust("7005")
    rep = User.objects.create_user("trust.rep@example.org", email="trust.rep@example.org")
    RoleAssignment.objects.create(
        user=rep,
        role=Role.WORKPLACE_REP,
        union=world.unions["NASUWT"],
        employer=Employer.objects.get(urn="300031"),
    )
    contact = User.objects.create_user("trust.hr@example.org", email="trust.hr@example.org")
    RoleAssignment.objects.create(user=contact, role=Role.EMPLOYER_CONTACT, employer=trust)
    journey = Journey(world.scheme, {**world.users, "rep": rep, "employer": contact})

    with django_capture_on_commit_callbacks(execute=True):
        proposed = journey.to(trust, State.PROPOSED, "rep")
    deliver_outbox()
    assert "secretary@example.org" in [to for m in mail.outbox for to in m.to]
    listed = journey.to_state(proposed, State.LISTED, "secretary")
    assert listed.state == State.LISTED
    assert Membership.objects.get(employer=trust).status == MembershipStatus.ACTIVE
