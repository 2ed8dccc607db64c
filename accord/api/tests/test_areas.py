"""The areas overview over the API: for national officers and auditors, every area with the
local authorities it covers, read in as many queries for a few associations as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.organisations.models import Association, LocalAuthority
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def test_the_areas_are_for_national_officers_and_auditors(world: World) -> None:
    answers = {
        persona: ApiClient(world.users[persona]).get("areas/").status_code
        for persona in ("officer", "auditor", "other_officer", "secretary", "employer", "outsider")
    }
    # A national officer of a union that leads no scheme does not manage or view areas.
    assert answers == {
        "officer": 200,
        "auditor": 200,
        "other_officer": 403,
        "secretary": 403,
        "employer": 403,
        "outsider": 403,
    }


def test_the_overview_shows_every_area_and_reads_a_fixed_number_of_queries(
    world: World,
) -> None:
    auditor = ApiClient(world.users["auditor"])
    body = auditor.get("areas/").json()
    assert [r["name"] for r in body["regions"]] == ["North", "South"]
    assert [d["name"] for d in body["districts"]] == ["Northern", "Southern"]
    northtown = body["associations"][0]
    assert northtown["name"] == "Northtown"
    assert northtown["region"]["name"] == "North"
    assert northtown["district"]["name"] == "Northern"
    assert [la["code"] for la in northtown["local_authorities"]] == ["901"]
    assert northtown["employer_count"] == 3
    assert body["local_authorities"][0]["associations"] == [
        {"id": world.association.pk, "name": "Northtown"}
    ]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor.get("areas/").status_code == 200
        return len(captured)

    few = queries()
    region = world.association.region
    for n in range(20):
        authority = LocalAuthority.objects.create(code=f"8{n:02}", name=f"Authority {n}")
        association = Association.objects.create(
            name=f"Association {n:02}", region=region, retired_at=timezone.now() if n else None
        )
        association.local_authorities.set([authority])
    many = auditor.get("areas/").json()
    assert len(many["associations"]) == 22
    assert many["associations"][2]["retired_at"] is not None
    assert queries() == few
