"""The register's own rows stay equal to what the records they come from say, after every kind
of change, through the services and through bulk writes that send the change signals."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import cycles, places
from accord.membership import services as membership_services
from accord.membership.models import Cycle, Membership
from accord.organisations import services as employer_services
from accord.organisations.models import Employer, EmployerKind, LocalAuthority, Region
from accord.register import entries
from accord.register.models import RegisterEntry, RegisterVersion
from tests.world import World

TODAY = datetime.date.today()


def _stored() -> set[tuple]:
    return set(RegisterEntry.objects.values_list(*entries.ENTRY_FIELDS))


def _assert_in_step() -> None:
    assert _stored() == set(entries.live_rows())


def _stamp() -> str:
    return RegisterVersion.objects.get(pk=1).stamp


@pytest.fixture
def listed(world: World) -> Enrolment:
    before = _stamp()
    enrolment = world.enrolment(State.LISTED)
    assert _stamp() != before
    return enrolment


def test_listing_writes_the_members_row(world: World, listed: Enrolment) -> None:
    member = Membership.objects.get()
    row = RegisterEntry.objects.get()
    assert (row.pk, row.reference, row.listed) == (member.pk, member.reference, True)
    assert (row.employer_name, row.urn, row.postcode) == (
        "Northtown High School",
        "100001",
        "NT1 1AA",
    )
    assert (row.local_authority_name, row.region_name) == ("Northtown", "North")
    assert (row.scheme_slug, row.scheme_name) == ("vws", "Valued Worker Scheme")
    assert row.search_text == "northtown high school 100001"
    _assert_in_step()


@pytest.mark.parametrize("change", ["suspend", "withdraw"])
def test_a_status_change_rewrites_the_row(world: World, listed: Enrolment, change: str) -> None:
    membership_services.change_status(
        Membership.objects.get(),
        change,
        actor=world.users["officer"],
        reason="x",
        logo_stop_requested_on=TODAY,
    )
    row = RegisterEntry.objects.get()
    assert row.status == {"suspend": "suspended", "withdraw": "withdrawn"}[change]
    assert row.listed is (change == "suspend")
    _assert_in_step()


def test_a_confirmed_met_review_adds_its_principle(world: World, listed: Enrolment) -> None:
    cycle = Cycle.objects.get(enrolment=listed)
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, "met", "next_cycle")
        assert RegisterEntry.objects.get().principles_met == []  # not until confirmed
        _assert_in_step()
        cycles.confirm_review(review, actor=world.users["employer"])
    assert RegisterEntry.objects.get().principles_met == [5]
    _assert_in_step()
    review.delete()
    assert RegisterEntry.objects.get().principles_met == []
    _assert_in_step()


def test_an_employer_edit_rewrites_its_row(world: World, listed: Enrolment) -> None:
    southtown = LocalAuthority.objects.get(name="Southtown")
    employer_services.edit_employer(
        world.employer,
        actor=world.users["officer"],
        data={"name": "Northtown Community School", "local_authority": southtown},
    )
    row = RegisterEntry.objects.get()
    assert (row.employer_name, row.local_authority_name, row.region_name) == (
        "Northtown Community School",
        "Southtown",
        "South",
    )
    _assert_in_step()


def test_a_merge_moves_the_row_to_the_surviving_employer(world: World, listed: Enrolment) -> None:
    survivor = Employer.objects.create(
        name="Northtown High Academy",
        kind=EmployerKind.SCHOOL,
        local_authority=LocalAuthority.objects.get(name="Southtown"),
    )
    employer_services.merge_employers(world.employer, survivor, actor=world.users["officer"])
    row = RegisterEntry.objects.get()
    assert (row.employer_id, row.employer_name, row.urn) == (
        survivor.pk,
        "Northtown High Academy",
        "100001",  # the identifier the survivor lacked came over
    )
    _assert_in_step()


def test_renamed_and_merged_areas_rewrite_the_rows(world: World, listed: Enrolment) -> None:
    authority = LocalAuthority.objects.get(name="Northtown")
    authority.name = "Northtown and District"
    authority.save()
    assert RegisterEntry.objects.get().local_authority_name == "Northtown and District"
    _assert_in_step()
    north, south = Region.objects.get(name="North"), Region.objects.get(name="South")
    places.save_area(north, Region, actor=world.users["officer"], data={"name": "The North"})
    assert RegisterEntry.objects.get().region_name == "The North"
    _assert_in_step()
    places.merge_areas(north, south, actor=world.users["officer"])
    assert (RegisterEntry.objects.get().region_id, RegisterEntry.objects.get().region_name) == (
        south.pk,
        "South",
    )
    _assert_in_step()
    authority.delete()
    assert RegisterEntry.objects.get().local_authority_name == ""
    _assert_in_step()


def test_a_scheme_rename_rewrites_its_rows(world: World, listed: Enrolment) -> None:
    world.scheme.name = "Valued Staff Scheme"
    world.scheme.save()
    assert RegisterEntry.objects.get().scheme_name == "Valued Staff Scheme"
    _assert_in_step()


def test_a_save_that_changes_nothing_shown_keeps_the_version(
    world: World, listed: Enrolment
) -> None:
    before = _stamp()
    world.employer.street = "2 School Lane"  # not on the register
    world.employer.save()
    world.other_employer.save()  # not a member
    assert _stamp() == before


def test_the_rebuild_command_writes_the_same_rows_again(world: World, listed: Enrolment) -> None:
    rows = _stored()
    RegisterEntry.objects.all().delete()
    call_command("rebuild_register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _stored() == rows
    call_command("rebuild_register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _stored() == rows
