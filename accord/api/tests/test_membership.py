"""The membership API: memberships, cycles, reviews, co-signatures, the employer's view, status
changes and decisions on a lapse, each persona getting the answers its pages give (written out
by hand from the brief), and lists whose query count does not grow with their length."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import lapse
from accord.membership.models import Cycle, LapseDecision, Membership, Review
from accord.organisations.models import Employer, EmployerKind
from tests.world import World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(scope="module")
def member(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, Enrolment]]:
    """A listed member whose first cycle (principle 5, one objective, co-signed by GMB and
    UNISON) ends in ten days, so its review may be recorded today. Made once for the module;
    each test's changes are rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        enrolment = world.enrolment(State.LISTED)
        Cycle.objects.filter(enrolment=enrolment).update(
            starts_on=TODAY - datetime.timedelta(days=355),
            ends_on=TODAY + datetime.timedelta(days=10),
        )
        yield world, enrolment
        transaction.set_rollback(True)


def api(world: World, persona: str) -> ApiClient:
    return ApiClient(world.users[persona])


def _review_body(**changes: Any) -> dict[str, Any]:
    return {
        "held_on": TODAY.isoformat(),
        "outcome": "met",
        "objective_outcomes": ["met"],
        "evidence": "Minutes of three committee meetings.",
        "decision": "next_cycle",
        **changes,
    }


def _assessments(numbers: range = range(1, 7)) -> list[dict[str, Any]]:
    return [{"principle": n, "readiness": "partly", "priority": "medium"} for n in numbers]


def _reviewed(world: World, enrolment: Enrolment) -> Review:
    """The secretary records the review of cycle 1 through the API, both partner unions
    co-sign it and the employer confirms it."""
    response = api(world, "secretary").post(
        f"enrolments/{enrolment.pk}/cycles/1/review/", _review_body()
    )
    assert response.status_code == 201, response.json()
    review_id = response.json()["id"]
    for persona in ("gmb", "unison"):
        signed = api(world, persona).post(f"reviews/{review_id}/co-signature/", {"confirm": True})
        assert signed.status_code == 200, signed.json()
    confirmed = api(world, "employer").post(f"reviews/{review_id}/confirmation/", {"confirm": True})
    assert confirmed.status_code == 200, confirmed.json()
    return Review.objects.get(pk=review_id)


# --- memberships ----------------------------------------------------------------------------


def test_each_persona_lists_the_memberships_it_may_see(member: tuple[World, Enrolment]) -> None:
    world, _ = member
    reference = Membership.objects.get().reference
    seen = {
        persona: [m["reference"] for m in api(world, persona).get("memberships/").json()["results"]]
        for persona in ("secretary", "employer", "gmb", "auditor", "other_secretary", "outsider")
    }
    assert seen == {
        "secretary": [reference],
        "employer": [reference],
        "gmb": [reference],
        "auditor": [reference],
        "other_secretary": [],
        "outsider": [],
    }
    secretary = api(world, "secretary")
    assert secretary.get("memberships/", {"status": "suspended"}).json()["count"] == 0
    assert secretary.get("memberships/", {"status": "active"}).json()["count"] == 1
    bad = secretary.get("memberships/", {"status": "gone"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["status"]


def test_a_membership_shows_union_only_fields_to_union_roles_only(
    member: tuple[World, Enrolment],
) -> None:
    world, enrolment = member
    membership = Membership.objects.get()
    Membership.objects.filter(pk=membership.pk).update(status_reason="Internal words.")
    path = f"memberships/{membership.pk}/"
    officer = api(world, "officer").get(path).json()
    assert officer["status"] == "active"
    assert officer["status_reason"] == "Internal words."
    assert officer["lapse_decisions"] == []
    assert officer["status_changes"] == ["suspend", "withdraw"]
    assert officer["current_cycle"] == 1
    assert [c["principle"] for c in officer["cycles"]] == [5]
    assert officer["enrolment"] == enrolment.pk
    assert officer["actions"] == []
    employer = api(world, "employer").get(path).json()
    assert employer["status_reason"] is None
    assert employer["lapse_decisions"] is None
    assert employer["status_changes"] == []
    assert employer["actions"] == []
    secretary = api(world, "secretary").get(path).json()
    assert secretary["status_reason"] == "Internal words."
    assert secretary["lapse_decisions"] is None
    # The review window is open: the page offers the secretary to record it, and so does the API.
    assert secretary["actions"] == [
        {
            "label": "Record the review of cycle 1",
            "method": "POST",
            "path": f"/api/v1/enrolments/{enrolment.pk}/cycles/1/review/",
        }
    ]
    assert api(world, "other_secretary").get(path).status_code == 403
    assert api(world, "outsider").get(path).status_code == 403
    assert api(world, "officer").get("memberships/999999/").status_code == 404
    assert api(world, "officer").get(f"memberships/{10**30}/").status_code == 404


# --- cycles ---------------------------------------------------------------------------------


def test_the_cycles_as_the_enrolment_page_shows_them(member: tuple[World, Enrolment]) -> None:
    world, enrolment = member
    path = f"enrolments/{enrolment.pk}/cycles/"
    union = api(world, "secretary").get(path).json()
    assert [c["number"] for c in union] == [1]
    cycle = union[0]
    assert cycle["principle"]["number"] == 5
    assert cycle["is_confirmed"] is True
    assert [a["owner"] for a in cycle["activities"]] == ["HR director", "Chief executive"]
    assert len(cycle["self_assessments"]) == 6
    assert [s["union"] for s in cycle["cosignatures"]] == ["GMB", "UNISON"]
    assert cycle["reviews"] == []
    employer = api(world, "employer").get(path).json()[0]
    assert employer["cosignatures"] is None
    assert employer["partners_signed"] is True
    assert api(world, "employer").get(f"{path}1/").json() == employer
    assert api(world, "other_secretary").get(path).status_code == 403
    assert api(world, "outsider").get(f"{path}1/").status_code == 403
    assert api(world, "secretary").get(f"{path}9/").status_code == 404
    assert api(world, "secretary").get(f"{path}{10**30}/").status_code == 404
    assert api(world, "gmb").post(f"cycles/{10**30}/co-signature/", {}).status_code == 404
    assert api(world, "secretary").get("enrolments/999999/cycles/").status_code == 404


def test_the_review_is_recorded_co_signed_and_confirmed_by_the_right_people(
    member: tuple[World, Enrolment],
) -> None:
    world, enrolment = member
    path = f"enrolments/{enrolment.pk}/cycles/1/review/"
    secretary = api(world, "secretary")
    bad = secretary.post(path, {"outcome": "met", "objective_outcomes": [], "notes": 3})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"held_on", "decision", "objective_outcomes.0", "evidence"}
    listed = secretary.post(path, _review_body(evidence=["Minutes"]))
    assert listed.status_code == 400 and list(listed.json()["errors"]) == ["evidence"]
    too_many = secretary.post(path, _review_body(objective_outcomes=["met", "met"]))
    assert list(too_many.json()["errors"]) == ["objective_outcomes"]
    refused = secretary.post(path, _review_body(decision="extend"))
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["decision"]
    for persona in ("employer", "rep", "gmb", "officer"):
        assert api(world, persona).post(path, _review_body()).status_code == 403, persona
    assert api(world, "other_secretary").post(path, _review_body()).status_code == 403
    assert Review.objects.count() == 0

    recorded = secretary.post(path, _review_body())
    assert recorded.status_code == 201
    review = recorded.json()
    assert review["outcome"] == "met" and review["partners_signed"] is False
    assert [o["outcome"] for o in review["objective_outcomes"]] == ["met"]
    assert [s["signed_by"] for s in review["cosignatures"]] == [None, None]
    cosign = f"reviews/{review['id']}/co-signature/"
    confirm = f"reviews/{review['id']}/confirmation/"
    membership = f"memberships/{Membership.objects.get().pk}/"
    assert api(world, "gmb").get(membership).json()["actions"] == [
        {"label": "Co-sign the review of cycle 1", "method": "POST", "path": f"/api/v1/{cosign}"}
    ]
    assert api(world, "employer").get(membership).json()["actions"] == []
    employer = api(world, "employer")
    early = employer.post(confirm, {"confirm": True})
    assert early.status_code == 422
    assert "co-sign it first" in early.json()["detail"]
    # Unite is not represented locally; the secretary signs by recording.
    for persona in ("unite", "secretary", "employer", "other_gmb"):
        assert api(world, persona).post(cosign, {"confirm": True}).status_code == 403, persona
    assert api(world, "gmb").post(cosign, {}).status_code == 400
    signed = api(world, "gmb").post(cosign, {"confirm": True})
    assert signed.status_code == 200
    assert [s["signed_by"] for s in signed.json()["cosignatures"]] == ["Gmb", None]
    assert api(world, "gmb").post(cosign, {"confirm": True}).status_code == 403
    assert api(world, "unison").post(cosign, {"confirm": True}).json()["partners_signed"] is True

    assert secretary.post(confirm, {"confirm": True}).status_code == 403
    unticked = employer.post(confirm, {"comment": "Fine."})
    assert unticked.status_code == 400 and list(unticked.json()["errors"]) == ["confirm"]
    done = employer.post(confirm, {"confirm": True, "comment": "A good year."})
    assert done.status_code == 200
    assert done.json()["employer_comment"] == "A good year."
    assert done.json()["cosignatures"] is None
    listed = secretary.get(f"enrolments/{enrolment.pk}/cycles/1/reviews/").json()
    assert [r["id"] for r in listed] == [review["id"]]
    shown = secretary.get(membership).json()
    assert shown["principles_met"] == [5]
    assert [a["label"] for a in shown["actions"]] == ["Draft cycle 2"]
    assert shown["actions"][0]["path"] == f"/api/v1/enrolments/{enrolment.pk}/cycles/"


def _cycle_body(world: World, principle: int, **changes: Any) -> dict[str, Any]:
    start = TODAY + datetime.timedelta(days=11)
    versions = {v.principle.number: v.pk for v in world.scheme.current_principles()}
    return {
        "principle": versions[principle],
        "objectives": ["Agree a wellbeing policy", "Train line managers"],
        "success_criteria": "Policy adopted; all managers trained",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=364)).isoformat(),
        "activities": [
            {
                "detail": "Draft the policy",
                "owner": "HR",
                "due_on": (start + datetime.timedelta(days=90)).isoformat(),
            }
        ],
        "self_assessments": _assessments(),
        **changes,
    }


def test_the_next_cycle_is_drafted_confirmed_and_co_signed(
    member: tuple[World, Enrolment],
) -> None:
    world, enrolment = member
    path = f"enrolments/{enrolment.pk}/cycles/"
    secretary = api(world, "secretary")
    early = secretary.post(path, _cycle_body(world, 2))
    assert early.status_code == 422
    assert early.json()["detail"] == "The current cycle's review must be confirmed first."
    _reviewed(world, enrolment)

    assert api(world, "employer").post(path, _cycle_body(world, 2)).status_code == 403
    same = secretary.post(path, _cycle_body(world, 5))
    assert same.status_code == 422
    assert list(same.json()["errors"]) == ["principle"]
    bad = secretary.post(
        path,
        _cycle_body(
            world,
            2,
            activities=[{"detail": "Draft the policy", "owner": "", "due_on": "soon"}],
            self_assessments=[*_assessments(range(1, 6)), {"principle": 6, "readiness": "x"}],
            ends_on="never",
        ),
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {
        "ends_on",
        "activities.0.owner",
        "activities.0.due_on",
        "self_assessments.5.readiness",
        "self_assessments.5.priority",
    }
    shapeless = secretary.post(path, _cycle_body(world, 2, activities="Draft the policy"))
    assert shapeless.status_code == 400 and list(shapeless.json()["errors"]) == ["activities"]
    none = secretary.post(path, _cycle_body(world, 2, activities=[]))
    assert none.status_code == 400
    assert list(none.json()["errors"]) == ["non_field_errors"]
    assert Cycle.objects.count() == 1

    made = secretary.post(path, _cycle_body(world, 2), **{"Idempotency-Key": "cycle-2"})
    assert made.status_code == 201, made.json()
    assert made["Location"] == f"/api/v1/{path}2/"
    again = secretary.post(path, _cycle_body(world, 2), **{"Idempotency-Key": "cycle-2"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Cycle.objects.count() == 2
    cycle = made.json()
    assert cycle["number"] == 2 and cycle["principle"]["number"] == 2
    assert cycle["objectives"] == ["Agree a wellbeing policy", "Train line managers"]
    assert cycle["union_confirmed_by"] == "Secretary" and cycle["is_confirmed"] is False

    confirm, cosign = f"cycles/{cycle['id']}/confirmation/", f"cycles/{cycle['id']}/co-signature/"
    assert secretary.post(confirm, {"confirm": True}).status_code == 403
    assert api(world, "employer").post(confirm, {}).status_code == 400
    confirmed = api(world, "employer").post(confirm, {"confirm": True})
    assert confirmed.json()["employer_confirmed_by"] == "Employer"
    assert api(world, "employer").post(confirm, {"confirm": True}).status_code == 422
    assert api(world, "unite").post(cosign, {"confirm": True}).status_code == 403
    first = Cycle.objects.get(number=1).pk
    assert (
        api(world, "gmb").post(f"cycles/{first}/co-signature/", {"confirm": True}).status_code
        == 403
    )
    for persona in ("gmb", "unison"):
        assert api(world, persona).post(cosign, {"confirm": True}).status_code == 200
    assert secretary.get(f"{path}2/").json()["is_confirmed"] is True


def test_the_employer_gives_its_view_and_the_unions_read_it(
    member: tuple[World, Enrolment],
) -> None:
    world, enrolment = member
    # Cycle 1 ends within 30 days: the view for cycle 2 is open.
    path = f"enrolments/{enrolment.pk}/cycles/2/employer-view/"
    employer = api(world, "employer")
    awaited = employer.get(path).json()
    assert (awaited["is_open"], awaited["may_edit"], awaited["assessments"]) == (True, True, [])
    assert (
        api(world, "secretary").put(path, {"self_assessments": _assessments()}).status_code == 403
    )
    partial = employer.put(path, {"self_assessments": _assessments(range(1, 6))})
    assert partial.status_code == 400
    assert set(partial.json()["errors"]) == {"self_assessments"}
    duplicate = employer.put(path, {"self_assessments": [*_assessments(), {"principle": 1}]})
    assert list(duplicate.json()["errors"]) == ["self_assessments.6.principle"]
    saved = employer.put(path, {"priorities": "Workload.", "self_assessments": _assessments()})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["priorities"] == "Workload."
    assert saved.json()["updated_by"] == "Employer"
    seen = api(world, "nem").get(path).json()
    assert seen["may_edit"] is False and len(seen["assessments"]) == 6
    assert api(world, "auditor").get(path).status_code == 403
    assert api(world, "other_secretary").get(path).status_code == 403
    assert employer.get(f"enrolments/{enrolment.pk}/cycles/3/employer-view/").status_code == 404


# --- status and lapse -----------------------------------------------------------------------


def test_a_national_officer_suspends_with_reasons(member: tuple[World, Enrolment]) -> None:
    world, _ = member
    membership = Membership.objects.get()
    path = f"memberships/{membership.pk}/status/suspend/"
    officer = api(world, "officer")
    for persona in ("secretary", "other_officer", "employer"):
        assert api(world, persona).post(path, {}).status_code == 403, persona
    reader = ApiClient(world.users["officer"], read_only=True)
    assert (
        reader.post(
            path, {"reason": "Read only.", "logo_stop_requested_on": "2026-01-01"}
        ).status_code
        == 403
    )
    assert officer.post(f"memberships/{membership.pk}/status/explode/", {}).status_code == 404
    assert officer.post("memberships/999999/status/suspend/", {}).status_code == 404
    empty = officer.post(path, {"reason": None})
    assert empty.status_code == 400
    assert set(empty.json()["errors"]) == {"reason", "logo_stop_requested_on"}
    done = officer.post(
        path, {"reason": "A detriment found.", "logo_stop_requested_on": TODAY.isoformat()}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["status_changes"]) == (
        "suspended",
        ["withdraw", "reinstate"],
    )
    assert officer.post(path, {"reason": "Again."}).status_code == 422
    assert api(world, "employer").get(f"memberships/{membership.pk}/").json()["status"] == (
        "suspended"
    )
    back = officer.post(f"memberships/{membership.pk}/status/reinstate/", {"reason": "Mended."})
    assert back.json()["status"] == "active"


def test_a_national_officer_decides_on_an_overdue_review(member: tuple[World, Enrolment]) -> None:
    world, enrolment = member
    Cycle.objects.filter(enrolment=enrolment).update(
        starts_on=TODAY - datetime.timedelta(days=500), ends_on=TODAY - datetime.timedelta(days=150)
    )
    (decision,) = lapse.open_due_decisions(TODAY)
    path = f"lapse-decisions/{decision.pk}/"
    officer = api(world, "officer")
    for persona in ("secretary", "other_officer", "employer", "auditor", "unison"):
        assert api(world, persona).get(path).status_code == 403, persona
        assert api(world, persona).post(path, {}).status_code == 403, persona
    assert officer.get("lapse-decisions/999999/").status_code == 404
    shown = officer.get(path).json()
    assert (shown["is_open"], shown["may_decide"], shown["outcome"]) == (True, True, "")
    assert shown["review_due_on"] == (TODAY - datetime.timedelta(days=150)).isoformat()
    empty = officer.post(path, {"outcome": "maybe"})
    assert set(empty.json()["errors"]) == {"outcome", "reasons"}
    past = officer.post(
        path, {"outcome": "extend", "reasons": "Asked.", "extended_to": TODAY.isoformat()}
    )
    assert past.status_code == 422 and list(past.json()["errors"]) == ["extended_to"]
    new_date = TODAY + datetime.timedelta(days=60)
    extended = officer.post(
        path, {"outcome": "extend", "reasons": "Ofsted week.", "extended_to": new_date.isoformat()}
    )
    assert extended.status_code == 200
    assert (extended.json()["outcome"], extended.json()["decided_by"]) == ("extend", "Officer")
    listed = officer.get(f"memberships/{decision.membership_id}/").json()["lapse_decisions"]
    assert [(d["id"], d["outcome"]) for d in listed] == [(decision.pk, "extend")]
    assert officer.post(path, {"outcome": "lapse", "reasons": "No."}).status_code == 422
    assert LapseDecision.objects.get().extended_to == new_date


# --- query counts ---------------------------------------------------------------------------


def _more_members(world: World, count: int) -> None:
    """`count` more listed members in the secretary's association, made directly."""
    for n in range(count):
        employer = Employer.objects.create(
            name=f"School {n}",
            kind=EmployerKind.SCHOOL,
            association=world.association,
            local_authority=world.employer.local_authority,
        )
        enrolment = Enrolment.objects.create(
            scheme=world.scheme,
            employer=employer,
            state=State.LISTED,
            initiated_by="employer",
            proposed_by=world.users["secretary"],
        )
        Membership.objects.create(
            scheme=world.scheme,
            employer=employer,
            enrolment=enrolment,
            reference=Membership.new_reference(world.scheme),
            member_since=TODAY,
            status_since=TODAY,
        )


def _queries(client: ApiClient, path: str) -> tuple[int, Any]:
    """The queries of a GET, once the token's first use of the minute is recorded."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_membership_list_reads_as_many_queries_for_2_as_for_20(
    member: tuple[World, Enrolment],
) -> None:
    world, _ = member
    secretary = api(world, "secretary")
    _more_members(world, 1)
    few, body = _queries(secretary, "memberships/")
    assert body["count"] == 2
    _more_members(world, 18)
    many, body = _queries(secretary, "memberships/")
    assert body["count"] == 20
    assert many == few


def test_the_cycle_list_reads_as_many_queries_for_1_cycle_as_for_4(
    member: tuple[World, Enrolment],
) -> None:
    world, enrolment = member
    secretary = api(world, "secretary")
    path = f"enrolments/{enrolment.pk}/cycles/"
    _reviewed(world, enrolment)
    few, body = _queries(secretary, path)
    assert len(body) == 1
    first = Cycle.objects.get()
    for number in (2, 3, 4):
        cycle = Cycle.objects.get(pk=first.pk)
        cycle.pk, cycle.number = None, number
        cycle.save()
        for action in first.actions.all():
            action.pk, action.cycle = None, cycle
            action.save()
        for review in first.reviews.all():
            review.pk, review.cycle = None, cycle
            review.save()
    many, body = _queries(secretary, path)
    assert [c["number"] for c in body] == [1, 2, 3, 4]
    assert many == few
