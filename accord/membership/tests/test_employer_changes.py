"""National officers edit employers, set their association by hand (or let it follow the local
authority's), merge duplicates keeping every link, and see the employers nobody can act on."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.demo.data import Journey
from accord.enrolments.models import Enrolment, JoinRequest
from accord.enrolments.process import State
from accord.membership import places
from accord.membership.models import Membership
from accord.organisations import merging, services
from accord.organisations.gias import import_gias
from accord.organisations.models import Employer, EmployerKind
from accord.workforce.tests.helpers import make_table
from tests.world import World


def _client(world: World, persona: str = "officer") -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _school(world: World, name: str, **values: object) -> Employer:
    values.setdefault("local_authority", world.employer.local_authority)
    values.setdefault("association", world.association)
    return Employer.objects.create(name=name, kind=EmployerKind.SCHOOL, **values)


def _gias(urn: str, name: str, la_code: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["URN", "EstablishmentName", "LA (code)", "LA (name)"])
    writer.writeheader()
    writer.writerow({"URN": urn, "EstablishmentName": name, "LA (code)": la_code, "LA (name)": "X"})
    return out.getvalue().encode()


def test_an_officer_edits_an_employers_details_with_the_change_audited(world: World) -> None:
    response = _client(world).post(
        reverse("employer-edit", args=[world.employer.pk]),
        {
            "name": "Northtown High",
            "kind": EmployerKind.SCHOOL,
            "urn": "100001",
            "postcode": "nt1 1ab",
            "street": "1 School Lane",
            "town": "Northtown",
            "local_authority": world.employer.local_authority_id,
            "parent_identifier": "5001",
        },
    )
    assert response.status_code == 302
    world.employer.refresh_from_db()
    assert world.employer.name == "Northtown High"
    assert world.employer.postcode == "NT1 1AB"
    assert world.employer.parent == world.trust
    (event,) = AuditEvent.objects.filter(action="employer.edited")
    assert event.changes["name"] == ["Northtown High School", "Northtown High"]
    assert event.changes["parent"] == [None, "Northern Star Trust"]
    assert event.context == f"employer:{world.employer.pk}"


def test_a_taken_identifier_or_a_bad_postcode_is_refused_on_its_field(world: World) -> None:
    response = _client(world).post(
        reverse("employer-edit", args=[world.employer.pk]),
        {"name": "X", "kind": EmployerKind.SCHOOL, "urn": "100002", "postcode": "nowhere"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another employer has this identifier already." in html
    assert "Enter a UK postcode" in html
    assert not AuditEvent.objects.filter(action="employer.edited").exists()


def test_a_new_local_authority_brings_its_association_unless_set_by_hand(world: World) -> None:
    south_la = world.other_employer.local_authority
    data = {"name": world.employer.name, "kind": EmployerKind.SCHOOL, "local_authority": south_la}
    services.edit_employer(world.employer, actor=world.users["officer"], data=data)
    world.employer.refresh_from_db()
    assert world.employer.association == world.other_association
    hand_set = _school(world, "Hand Set", association_overridden=True)
    data = {"name": "Hand Set", "kind": EmployerKind.SCHOOL, "local_authority": south_la}
    services.edit_employer(hand_set, actor=world.users["officer"], data=data)
    hand_set.refresh_from_db()
    assert hand_set.association == world.association


def test_an_association_set_by_hand_survives_a_move_and_a_gias_import_until_cleared(
    world: World,
) -> None:
    client = _client(world)
    url = reverse("employer-association", args=[world.employer.pk])
    response = client.post(url, {"how": "hand", "association": world.other_association.pk})
    assert response.status_code == 302
    world.employer.refresh_from_db()
    assert world.employer.association == world.other_association
    assert world.employer.association_overridden
    (event,) = AuditEvent.objects.filter(action="employer.association_set")
    assert event.changes == {
        "association": ["Northtown", "Southtown"],
        "association_overridden": [False, True],
    }
    # A re-import from GIAS keeps it; so does a move of its local authority.
    import_gias(_gias("100001", "Northtown High School", "901"), actor=world.users["officer"])
    world.employer.refresh_from_db()
    assert world.employer.association == world.other_association
    # Cleared: it follows its local authority again.
    assert client.post(url, {"how": "follow"}).status_code == 302
    world.employer.refresh_from_db()
    assert world.employer.association == world.association
    assert not world.employer.association_overridden


def test_a_gias_import_moves_an_association_that_follows_its_local_authority(
    world: World,
) -> None:
    places.move_local_authority(
        world.employer.local_authority, world.other_association, actor=world.users["officer"]
    )
    Employer.objects.filter(pk=world.employer.pk).update(association=world.association)
    import_gias(_gias("100001", "Northtown High School", "901"), actor=world.users["officer"])
    world.employer.refresh_from_db()
    assert world.employer.association == world.other_association


# --- merging --------------------------------------------------------------------------------


def _duplicate_with_every_link(world: World) -> tuple[Employer, dict[str, int]]:
    """A duplicate of the world's employer holding one object of every model that points at an
    employer, and how many of each."""
    duplicate = _school(world, "Northtown High Sch.")
    contact = world.users["outsider"]
    RoleAssignment.objects.create(user=contact, role=Role.EMPLOYER_CONTACT, employer=duplicate)
    Journey(world.scheme, {**world.users, "employer": contact}).to(
        duplicate, State.LISTED, "secretary"
    )
    _school(world, "Annexe", parent=duplicate)
    _school(world, "An older duplicate", merged_into=duplicate)
    JoinRequest.objects.create(
        scheme=world.scheme,
        employer_name=duplicate.name,
        kind=duplicate.kind,
        local_authority=duplicate.local_authority,
        contact_name="Head",
        job_title="Head teacher",
        email="head@example.org",
        message="We would like to join.",
        employer=duplicate,
    )
    make_table(world.users["officer"], employer=duplicate)
    built = {
        "enrolments.JoinRequest.employer": 1,
        "enrolments.Enrolment.employer": 1,
        "membership.Membership.employer": 1,
        "organisations.Employer.parent": 1,
        "organisations.Employer.merged_into": 1,
        "accounts.RoleAssignment.employer": 1,
        "workforce.FigureTable.employer": 1,
    }
    return duplicate, built


def test_merging_keeps_every_link_to_the_duplicate(world: World) -> None:
    survivor = _school(world, "Northtown High Academy")
    duplicate, built = _duplicate_with_every_link(world)
    every = {link.label for link in merging.links(Employer) if not link.plain_table}
    # A relation added to Employer fails here until this test builds one of it.
    assert set(built) == every
    services.merge_employers(duplicate, survivor, actor=world.users["officer"])
    for link in merging.links(Employer):
        manager = link.model._base_manager
        assert not manager.filter(**{link.name: duplicate}).exists(), link.label
        # The duplicate itself now points at the survivor too.
        itself = 1 if link.label == "organisations.Employer.merged_into" else 0
        assert manager.filter(**{link.name: survivor}).count() == built[link.label] + itself
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.merged_at is not None
    assert Membership.objects.get().employer == survivor


def test_a_merge_is_audited_on_both_employers_and_on_each_moved_record(world: World) -> None:
    survivor = _school(world, "Survivor School", association=None)
    duplicate = _school(world, "Duplicate School", urn="300001")
    enrolment = world.enrolment(State.PROPOSED, duplicate)
    services.merge_employers(duplicate, survivor, actor=world.users["officer"])
    merged = AuditEvent.objects.get(action="employer.merged")
    assert merged.context == f"employer:{duplicate.pk}"
    assert merged.changes["merged_into"] == [None, "Survivor School"]
    assert merged.changes["urn"] == ["300001", ""]
    merged_in = AuditEvent.objects.get(action="employer.merged_in")
    assert merged_in.context == f"employer:{survivor.pk}"
    assert merged_in.changes["urn"] == ["", "300001"]
    assert merged_in.changes["association"] == [None, "Northtown"]
    moved = AuditEvent.objects.get(action="enrolment.moved")
    assert moved.context == f"enrolment:{enrolment.pk}"
    assert moved.changes == {"employer": ["Duplicate School", "Survivor School"]}


def test_a_merge_that_would_break_a_rule_is_refused_with_a_clear_message(world: World) -> None:
    duplicate = _school(world, "Duplicate School")
    world.enrolment(State.PROPOSED)
    world.enrolment(State.PROPOSED, duplicate)
    with pytest.raises(DomainError, match="one open enrolment per employer and scheme"):
        services.merge_employers(duplicate, world.employer, actor=world.users["officer"])
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert Enrolment.objects.filter(employer=duplicate).count() == 1
    # The preview says so, and offers no button.
    page = _client(world).get(
        reverse("employer-merge", args=[duplicate.pk]) + f"?into={world.employer.pk}"
    )
    html = page.content.decode()
    assert "one open enrolment per employer and scheme" in html
    assert 'method="post" novalidate' not in html


def test_the_merge_page_finds_the_survivor_previews_and_confirms(world: World) -> None:
    duplicate = _school(world, "Northtown High (old record)")
    RoleAssignment.objects.create(
        user=world.users["outsider"], role=Role.EMPLOYER_CONTACT, employer=duplicate
    )
    client = _client(world)
    url = reverse("employer-merge", args=[duplicate.pk])
    found = client.get(url + "?q=Northtown High").content.decode()
    assert f'href="?into={world.employer.pk}"' in found
    preview = client.get(url + f"?into={world.employer.pk}").content.decode()
    assert "Merging Northtown High (old record) into Northtown High School" in preview
    assert "Outsider: Employer contact" in preview  # whose role changes hands
    response = client.post(url, {"into": world.employer.pk})
    assert response.status_code == 302 and response.url == world.employer.get_absolute_url()
    # The duplicate's page leads to the survivor; it no longer shows in the directory.
    old = client.get(reverse("employer", args=[duplicate.pk]))
    assert old.status_code == 302 and old.url == world.employer.get_absolute_url()
    # So does it for the duplicate's contact, whose role moved to the survivor.
    contact = Client()
    contact.force_login(world.users["outsider"])
    old = contact.get(reverse("employer", args=[duplicate.pk]))
    assert old.status_code == 302 and old.url == world.employer.get_absolute_url()
    directory = client.get(reverse("employers") + "?q=old record").content.decode()
    assert ">Northtown High (old record)</a>" not in directory


def test_a_survivor_that_is_part_of_the_duplicate_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="is part of"):
        services.merge_employers(world.trust, world.academy, actor=world.users["officer"])


# --- employers nobody can act on -------------------------------------------------------------


def test_the_officer_sees_employers_with_no_association_and_a_link_to_set_it(
    world: World,
) -> None:
    lost = _school(world, "Lost School")
    world.enrolment(State.PROPOSED, lost)
    Employer.objects.filter(pk=lost.pk).update(association=None)
    _school(world, "Quiet School", association=None)
    page = _client(world).get(reverse("employers-unassigned")).content.decode()
    assert "2 employers." in page
    assert page.index("Lost School") < page.index("Quiet School")  # open cases first
    assert reverse("employer-association", args=[lost.pk]) in page
    only_cases = _client(world).get(reverse("employers-unassigned") + "?cases=1").content.decode()
    assert "1 employer." in only_cases and "Quiet School" not in only_cases
    # The auditor reads the list but is offered nothing to change.
    audit_page = _client(world, "auditor").get(reverse("employers-unassigned")).content.decode()
    assert "Lost School" in audit_page
    assert reverse("employer-association", args=[lost.pk]) not in audit_page


def test_the_unassigned_list_runs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = _client(world)
    for n in range(30):
        _school(world, f"Unplaced {n}", association=None)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("employers-unassigned")).status_code == 200
