"""Areas managed by national officers: creating and editing them, moving a local authority
(its employers' cases move with it), merging, retiring, and the preview before a move."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import RoleAssignment
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.process import State
from accord.membership import places
from accord.organisations.models import (
    Association,
    District,
    Employer,
    EmployerKind,
    LocalAuthority,
    Region,
)
from tests.world import World


def _officer(world: World) -> Client:
    client = Client()
    client.force_login(world.users["officer"])
    return client


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _sees(world: World, persona: str, enrolment_pk: int) -> bool:
    visible = enrolment_selectors.visible_enrolments(world.users[persona])
    return visible.filter(pk=enrolment_pk).exists()


def test_an_officer_creates_a_region_a_district_and_an_association_all_audited(
    world: World,
) -> None:
    client = _officer(world)
    spare = LocalAuthority.objects.create(code="950", name="Eastshire")
    stray = Employer.objects.create(name="Eastshire School", kind="school", local_authority=spare)
    assert client.post(reverse("region-new"), {"name": "East"}).status_code == 302
    assert client.post(reverse("district-new"), {"name": "Eastern"}).status_code == 302
    east, eastern = Region.objects.get(name="East"), District.objects.get(name="Eastern")
    response = client.post(
        reverse("association-new"),
        {
            "name": "Eastshire",
            "region": east.pk,
            "district": eastern.pk,
            "local_authorities": [spare.pk],
        },
    )
    assert response.status_code == 302
    eastshire = Association.objects.get(name="Eastshire")
    assert list(eastshire.local_authorities.all()) == [spare]
    # The authority's employer without an association joins the new one.
    stray.refresh_from_db()
    assert stray.association == eastshire
    assert _events("region.created")[0].changes == {"name": [None, "East"]}
    created = _events("association.created")[0].changes
    assert created["region"] == [None, "East"] and created["local_authorities"] == [
        None,
        ["Eastshire"],
    ]
    assert _events("employer.association_set")[0].changes == {"association": [None, "Eastshire"]}


def test_editing_an_association_is_audited_with_before_and_after(world: World) -> None:
    client = _officer(world)
    north = world.association.region
    response = client.post(
        reverse("association-edit", args=[world.association.pk]),
        {"name": "Northtown and District", "region": north.pk, "district": ""},
    )
    assert response.status_code == 302
    (event,) = _events("association.edited")
    assert event.changes == {
        "name": ["Northtown", "Northtown and District"],
        "district": ["Northern", None],
    }
    assert event.actor == world.users["officer"]


def test_an_associations_letter_address_is_edited_and_audited(world: World) -> None:
    client = _officer(world)
    north = world.association.region
    url = reverse("association-edit", args=[world.association.pk])
    values = {"name": "Northtown", "region": north.pk, "district": world.association.district_id}
    response = client.post(
        url, {**values, "address": "12 Mill Street\r\nNT1 2AB", "email": "nt@example.org"}
    )
    assert response.status_code == 302
    world.association.refresh_from_db()
    assert world.association.address == "12 Mill Street\nNT1 2AB"
    (event,) = _events("association.edited")
    assert event.changes == {
        "address": ["", "12 Mill Street\nNT1 2AB"],
        "email": ["", "nt@example.org"],
    }
    refused = client.post(url, {**values, "address": "12 Mill\x1b Street"})
    assert refused.status_code == 400
    assert "Postal address contains characters that cannot be stored (U+001B)" in (
        refused.content.decode()
    )


def test_an_address_is_counted_as_the_browser_counts_it_and_saved_tidy(world: World) -> None:
    client = _officer(world)
    url = reverse("association-edit", args=[world.association.pk])
    values = {"name": "Northtown", "region": world.association.region_id}
    values["district"] = world.association.district_id
    # 500 characters in the browser (line breaks count one): 12 lines of 40, 11 breaks, 9 more.
    address = "\r\n".join(["x" * 40] * 12) + "\r\n" + "y" * 8
    assert len(address.replace("\r\n", "\n")) == 500
    assert client.post(url, {**values, "address": address}).status_code == 302
    world.association.refresh_from_db()
    assert world.association.address == "\n".join(["x" * 40] * 12 + ["y" * 8])

    client.post(url, {**values, "address": "  12 Mill Street  \r\n\r\n Northtown \r\n\r\n"})
    world.association.refresh_from_db()
    assert world.association.address == "12 Mill Street\nNorthtown"

    refused = client.post(url, {**values, "address": address + "z"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert page.count("Postal address must be at most 500 characters (it has 501).") == 2
    assert "Postal address: Postal address" not in page


def test_optional_fields_are_marked_by_the_house_pattern_not_in_their_labels(
    world: World,
) -> None:
    page = _officer(world).get(reverse("association-edit", args=[world.association.pk]))
    text = page.content.decode()
    assert "Postal address (optional)" not in text
    assert 'Postal address <span class="optional">(optional)</span>' in text
    assert 'E-mail address <span class="optional">(optional)</span>' in text


def test_an_authority_covered_elsewhere_is_moved_not_added(world: World) -> None:
    covered = world.other_association.local_authorities.get()
    with pytest.raises(DomainError, match="move it"):
        places.save_area(
            world.association,
            Association,
            actor=world.users["officer"],
            data={
                "name": "Northtown",
                "region": world.association.region,
                "local_authorities": [covered],
            },
        )


def test_moving_a_local_authority_moves_its_cases_to_the_new_associations_secretary(
    world: World,
) -> None:
    enrolment = world.enrolment(State.ENDORSED)
    hand_set = Employer.objects.create(
        name="Hand Set School",
        kind=EmployerKind.SCHOOL,
        local_authority=world.employer.local_authority,
        association=world.association,
        association_overridden=True,
    )
    assert _sees(world, "secretary", enrolment.pk) and not _sees(
        world, "other_secretary", enrolment.pk
    )

    places.move_local_authority(
        world.employer.local_authority, world.other_association, actor=world.users["officer"]
    )

    assert not _sees(world, "secretary", enrolment.pk)
    assert _sees(world, "other_secretary", enrolment.pk)
    assert _sees(world, "other_nem", enrolment.pk) and not _sees(world, "nem", enrolment.pk)
    world.employer.refresh_from_db()
    hand_set.refresh_from_db()
    assert world.employer.association == world.other_association
    assert hand_set.association == world.association  # set by hand: it stays
    assert list(world.employer.local_authority.associations.all()) == [world.other_association]
    (moved,) = _events("localauthority.moved")
    assert moved.changes["associations"] == [["Northtown"], ["Southtown"]]
    followed = {e.target_id: e.changes for e in _events("employer.association_set")}
    assert followed[str(world.employer.pk)] == {"association": ["Northtown", "Southtown"]}
    assert str(hand_set.pk) not in followed


def test_the_move_preview_counts_open_cases_and_names_whose_roles_change_hands(
    world: World,
) -> None:
    world.enrolment(State.LISTED)
    school = Employer.objects.create(
        name="Second School",
        kind=EmployerKind.SCHOOL,
        local_authority=world.employer.local_authority,
        association=world.association,
    )
    world.enrolment(State.ENDORSED, school)
    authority = world.employer.local_authority
    page = _officer(world).get(
        reverse("local-authority-move", args=[authority.pk]) + f"?to={world.other_association.pk}"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<dt>Open enrolments</dt><dd>1</dd>" in html
    assert "<dt>Memberships</dt><dd>1</dd>" in html
    losing = html.split("Who stops seeing these cases")[1].split("Who starts")[0]
    gaining = html.split("Who starts seeing these cases")[1]
    assert "Secretary: Local secretary" in losing and "Nem: National Executive Member" in losing
    assert "Other Secretary: Local secretary" in gaining and "Other Nem" in gaining
    assert 'method="post"' in html
    # Nothing changes before the officer confirms.
    assert Employer.objects.get(pk=world.employer.pk).association == world.association


def test_the_move_is_confirmed_by_a_post_from_the_preview(world: World) -> None:
    authority = world.employer.local_authority
    url = reverse("local-authority-move", args=[authority.pk])
    response = _officer(world).post(url, {"to": world.other_association.pk})
    assert response.status_code == 302
    assert Employer.objects.get(pk=world.employer.pk).association == world.other_association


def test_merging_an_association_moves_its_authorities_employers_and_roles(world: World) -> None:
    northtown, southtown = world.association, world.other_association
    authority = world.employer.local_authority
    enrolment = world.enrolment(State.ENDORSED)
    page = _officer(world).get(
        reverse("association-merge", args=[northtown.pk]) + f"?into={southtown.pk}"
    )
    assert "Roles that move with it" in page.content.decode()
    assert "Secretary: Local secretary" in page.content.decode()

    response = _officer(world).post(
        reverse("association-merge", args=[northtown.pk]), {"into": southtown.pk}
    )
    assert response.status_code == 302

    northtown.refresh_from_db()
    assert northtown.is_retired and northtown.merged_into == southtown
    assert authority in southtown.local_authorities.all()
    assert not northtown.local_authorities.exists()
    assert not Employer.objects.filter(association=northtown).exists()
    assert not RoleAssignment.objects.filter(association=northtown).exists()
    secretary = RoleAssignment.objects.get(user=world.users["secretary"])
    assert secretary.association == southtown
    assert _sees(world, "other_secretary", enrolment.pk)
    (merged,) = _events("association.merged")
    assert merged.changes["merged_into"] == [None, "Southtown"]
    assert merged.changes["local_authorities"] == [["Northtown"], []]
    (merged_in,) = _events("association.merged_in")
    assert merged_in.changes["local_authorities"] == [["Southtown"], ["Northtown", "Southtown"]]
    role_moves = _events("roleassignment.moved")
    assert {e.changes["association"][0] for e in role_moves} == {"Northtown"}


def test_merging_a_district_moves_its_associations_and_nems(world: World) -> None:
    northern = world.association.district
    southern = world.other_association.district
    places.merge_areas(northern, southern, actor=world.users["officer"])
    world.association.refresh_from_db()
    assert world.association.district == southern
    assert RoleAssignment.objects.get(user=world.users["nem"]).district == southern


def test_an_area_with_open_cases_or_roles_cannot_retire_and_says_what_to_move(
    world: World,
) -> None:
    world.enrolment(State.PROPOSED)
    with pytest.raises(DomainError) as refused:
        places.retire_area(world.association, actor=world.users["officer"])
    message = refused.value.message
    assert "local authority (Northtown) to another association" in message
    assert "1 open case (Northtown High School)" in message
    assert "Secretary (local secretary)" in message and "Unison (partner-union" in message
    world.association.refresh_from_db()
    assert not world.association.is_retired
    page = _officer(world).get(reverse("association-retire", args=[world.association.pk]))
    assert "cannot retire yet" in page.content.decode()
    assert 'method="post"' not in page.content.decode().split("</header>")[-1]


def test_an_empty_area_retires_and_cannot_be_chosen_again(world: World) -> None:
    spare = Region.objects.create(name="Spare")
    response = _officer(world).post(reverse("region-retire", args=[spare.pk]), {})
    assert response.status_code == 302
    spare.refresh_from_db()
    assert spare.is_retired
    (event,) = _events("region.retired")
    assert event.changes["retired_at"][0] is None and event.changes["retired_at"][1]
    form = _officer(world).get(reverse("association-new")).content.decode()
    assert "Spare" not in form
    with pytest.raises(DomainError, match="retired"):
        places.save_area(
            None, Association, actor=world.users["officer"], data={"name": "X", "region": spare}
        )


def test_the_areas_overview_runs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    region = world.association.region
    for n in range(15):
        district = District.objects.create(name=f"District {n}")
        association = Association.objects.create(
            name=f"Assoc {n}", region=region, district=district
        )
        association.local_authorities.add(
            LocalAuthority.objects.create(code=f"7{n:02}", name=f"LA {n}")
        )
    client = _officer(world)
    client.get(reverse("areas"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("areas")).status_code == 200


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1", "%00", "x", ""])
def test_a_preview_given_a_choice_nobody_offered_answers_without_a_server_error(
    world: World, value: str
) -> None:
    client = _officer(world)
    pages = [
        reverse("association-merge", args=[world.association.pk]) + f"?into={value}",
        reverse("local-authority-move", args=[world.employer.local_authority_id]) + f"?to={value}",
        reverse("employer-merge", args=[world.academy.pk]) + f"?into={value}&q={value}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 400), url
        assert 'method="post"' not in response.content.decode().split("</header>")[-1]
