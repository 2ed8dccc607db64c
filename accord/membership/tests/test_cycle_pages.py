"""Reviews and the next cycle through the pages, and what the public then sees."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.enrolments.process import State
from accord.membership.models import Cycle, Membership, Review
from tests.world import PASSWORD, World


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _cycle_post(world: World, principle_number: int, start: datetime.date) -> dict[str, str]:
    versions = world.scheme.current_principles()
    data = {
        "principle": str(versions[principle_number - 1].pk),
        "objectives": "Agree a wellbeing policy\nTrain line managers",
        "success_criteria": "Policy adopted; all managers trained",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=364)).isoformat(),
        "activities-TOTAL_FORMS": "5",
        "activities-INITIAL_FORMS": "0",
        "activities-0-detail": "Draft the policy",
        "activities-0-owner": "HR",
        "activities-0-due_on": (start + datetime.timedelta(days=90)).isoformat(),
    }
    for n in range(1, 7):
        data.update({f"readiness_{n}": "partly", f"priority_{n}": "medium"})
    return data


def test_a_member_is_reviewed_and_moves_to_a_different_principle(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    review_url = reverse("cycle-review", args=[enrolment.pk, 1])
    page = _client("secretary").get(enrolment.get_absolute_url()).content.decode()
    assert review_url not in page

    with time_machine.travel(cycle.ends_on, tick=False):
        secretary, employer = _client("secretary"), _client("employer")
        assert review_url in secretary.get(enrolment.get_absolute_url()).content.decode()
        bad = secretary.post(review_url, {"outcome": "met"})
        assert bad.status_code == 400
        assert {"held_on", "evidence", "decision", "objective_1"} <= set(bad.context["form"].errors)
        assert not Review.objects.exists()
        response = secretary.post(
            review_url,
            {
                "held_on": cycle.ends_on.isoformat(),
                "objective_1": "met",
                "outcome": "met",
                "evidence": "Committee minutes",
                "decision": "next_cycle",
            },
        )
        assert response.status_code == 302
        review = Review.objects.get()
        confirm_url = reverse("review-confirm", args=[review.pk])
        # The partner unions represented locally co-sign it before the employer confirms.
        assert confirm_url not in employer.get(enrolment.get_absolute_url()).content.decode()
        cosign_url = reverse("review-cosign", args=[review.pk])
        for persona in ("gmb", "unison"):
            partner = _client(persona)
            assert cosign_url in partner.get(enrolment.get_absolute_url()).content.decode()
            assert partner.post(cosign_url, {"confirm": "on"}).status_code == 302
        assert confirm_url in employer.get(enrolment.get_absolute_url()).content.decode()
        assert secretary.get(confirm_url).status_code == 403
        assert employer.post(confirm_url, {"confirm": "on"}).status_code == 302

        membership = Membership.objects.get()
        verification = Client().get(membership.get_absolute_url())
        assert verification.context["membership"].principles_met == [5]
        assert Client().get(reverse("register")).context["page"].object_list[0].principles_met == [
            5
        ]

        new_url = reverse("cycle-new", args=[enrolment.pk])
        start = cycle.ends_on + datetime.timedelta(days=1)
        same = secretary.post(new_url, _cycle_post(world, 5, start))
        assert same.status_code == 400
        assert "must work on a different principle" in same.context["form"].errors["principle"][0]
        assert Cycle.objects.count() == 1
        assert secretary.post(new_url, _cycle_post(world, 2, start)).status_code == 302

    second = Cycle.objects.get(number=2)
    assert second.objective_list() == ["Agree a wellbeing policy", "Train line managers"]
    confirm_cycle = reverse("cycle-confirm", args=[second.pk])
    assert employer.post(confirm_cycle, {}).status_code == 400
    assert employer.post(confirm_cycle, {"confirm": "on"}).status_code == 302
    second.refresh_from_db()
    assert not second.is_confirmed
    for persona in ("gmb", "unison"):
        cosign = reverse("cycle-cosign", args=[second.pk])
        assert _client(persona).post(cosign, {"confirm": "on"}).status_code == 302
    second.refresh_from_db()
    assert second.is_confirmed
    page = employer.get(enrolment.get_absolute_url()).content.decode()
    assert "Cycle 2" in page and "Principles met: 5 (Consultation and negotiation)" in page


def test_cycle_pages_are_for_listed_members_and_the_right_people(world: World) -> None:
    drafted = world.enrolment(State.COMMITMENT_DRAFTED)
    assert (
        _client("secretary").get(reverse("cycle-review", args=[drafted.pk, 1])).status_code == 403
    )
    RoleAssignment.objects.create(
        user=world.users["employer"], role=Role.EMPLOYER_CONTACT, employer=world.trust
    )
    listed = world.enrolment(State.LISTED, employer=world.trust)
    for persona in ("rep", "nem", "employer", "other_secretary"):
        response = _client(persona).get(reverse("cycle-review", args=[listed.pk, 1]))
        assert response.status_code == 403, persona
