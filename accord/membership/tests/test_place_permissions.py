"""Who may open the area and employer management pages, written out by hand: national officers
of the lead union and superusers manage; auditors read the overview and the employers nobody
can act on; everyone else is refused, and nobody signed out gets further than the sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.organisations.models import Association, Employer
from tests.world import World

# (persona, the areas overview, the management pages, the employers with no association)
TABLE = [
    ("officer", 200, 200, 200),
    ("superuser", 200, 200, 200),
    ("auditor", 200, 403, 200),
    ("secretary", 403, 403, 403),
    ("nem", 403, 403, 403),
    ("rep", 403, 403, 403),
    ("gmb", 403, 403, 403),
    ("unison", 403, 403, 403),
    ("employer", 403, 403, 403),
    ("other_officer", 403, 403, 403),  # a national officer of a union that leads no scheme
    ("outsider", 403, 403, 403),
    ("anonymous", 302, 302, 302),
]


def _management_pages(world: World) -> list[str]:
    association = world.association
    return [
        reverse("region-new"),
        reverse("district-new"),
        reverse("association-new"),
        reverse("region-edit", args=[association.region_id]),
        reverse("district-edit", args=[association.district_id]),
        reverse("association-edit", args=[association.pk]),
        reverse("association-merge", args=[association.pk]),
        reverse("association-merge", args=[association.pk]) + f"?into={world.other_association.pk}",
        reverse("district-merge", args=[association.district_id]),
        reverse("region-retire", args=[association.region_id]),
        reverse("association-retire", args=[association.pk]),
        reverse("local-authority-move", args=[world.employer.local_authority_id]),
        reverse("local-authority-move", args=[world.employer.local_authority_id])
        + f"?to={world.other_association.pk}",
        reverse("employer-edit", args=[world.employer.pk]),
        reverse("employer-association", args=[world.employer.pk]),
        reverse("employer-merge", args=[world.academy.pk]),
        reverse("employer-merge", args=[world.academy.pk]) + f"?into={world.employer.pk}",
    ]


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona == "superuser":
        client.force_login(
            User.objects.create_superuser("root@example.org", "root@example.org", "x")
        )
    elif persona != "anonymous":
        client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize(("persona", "overview", "manage", "unassigned"), TABLE)
def test_who_may_open_the_area_and_employer_pages(
    world: World, persona: str, overview: int, manage: int, unassigned: int
) -> None:
    client = _client(world, persona)
    assert client.get(reverse("areas")).status_code == overview
    for url in _management_pages(world):
        assert client.get(url).status_code == manage, url
    assert client.get(reverse("employers-unassigned")).status_code == unassigned


@pytest.mark.parametrize(("persona", "overview", "manage", "unassigned"), TABLE)
def test_only_managers_change_anything(
    world: World, persona: str, overview: int, manage: int, unassigned: int
) -> None:
    client = _client(world, persona)
    other = world.other_association
    responses = [
        client.post(reverse("region-new"), {"name": "East"}),
        client.post(reverse("association-merge", args=[world.association.pk]), {"into": other.pk}),
        client.post(
            reverse("local-authority-move", args=[world.employer.local_authority_id]),
            {"to": other.pk},
        ),
        client.post(reverse("employer-edit", args=[world.employer.pk]), {"name": "Renamed"}),
        client.post(
            reverse("employer-merge", args=[world.academy.pk]), {"into": world.employer.pk}
        ),
    ]
    if manage == 200:
        return  # the managers' own tests say what their posts do
    assert [r.status_code for r in responses] == [manage] * len(responses)
    assert not Association.objects.filter(retired_at__isnull=False).exists()
    assert Employer.objects.get(pk=world.employer.pk).association == world.association
    assert Employer.objects.get(pk=world.employer.pk).name == "Northtown High School"
    assert Employer.objects.get(pk=world.academy.pk).merged_into is None


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("officer", True), ("auditor", True), ("secretary", False), ("employer", False)],
)
def test_the_navigation_offers_areas_to_those_who_may_open_them(
    world: World, persona: str, sees: bool
) -> None:
    client = _client(world, persona)
    page = client.get(reverse("tasks")).content.decode()
    assert (f'href="{reverse("areas")}"' in page) is sees
