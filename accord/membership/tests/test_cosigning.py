"""Partner unions co-sign commitments and reviews.

The expected answers are written by hand from the brief: a partner-union representative
"co-signs commitments and reviews" (PRODUCT.md, "Who uses it"), and a commitment or review is
confirmed for the unions only when the lead union's secretary and each partner union
represented locally have confirmed it (issue 11). In `tests/world.py` GMB and UNISON agree on the
way in and the secretary marks Unite not represented locally; `gmb` is GMB's representative
for the North region, `unison` UNISON's for the Northtown association, `other_gmb` GMB's for the
South.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accord.enrolments import documents, services
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State, step
from accord.membership import cosigning, cycles
from accord.membership.models import Cycle, Review, Signature
from accord.membership.services import MembershipError
from accord.notifications.models import ReminderKind, SentReminder
from accord.notifications.reminders import send_reminders
from accord.notifications.selectors import member_tasks, steps_waiting
from accord.organisations.models import Union
from tests.world import PASSWORD, World

COSIGN = step("cosign_commitment")


def _take(world: World, enrolment: Enrolment, name: str, who: str, **data: object) -> Enrolment:
    return services.take_step(enrolment, step(name), actor=world.users[who], data=data)


def _client(persona: str | None) -> Client:
    client = Client()
    if persona is not None:
        client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _answers(url: str, personas: list[str | None]) -> dict[str | None, int]:
    return {persona: _client(persona).get(url).status_code for persona in personas}


# Who may open the page that co-signs, by hand: only a representative of a partner union
# represented locally, in scope, whose union has yet to sign. The lead union's secretary
# confirms through the lead union's own step; nobody else signs for a union.
PERSONAS: list[str | None] = [
    "secretary",
    "gmb",
    "unison",
    "unite",
    "other_gmb",
    "employer",
    "nem",
    "rep",
    "officer",
    None,
]
MAY_COSIGN_AT_FIRST = {
    "secretary": 403,
    "gmb": 200,
    "unison": 200,
    "unite": 403,  # not represented locally: marked so by the secretary
    "other_gmb": 403,  # GMB, but for the South region
    "employer": 403,
    "nem": 403,
    "rep": 403,
    "officer": 403,
    None: 302,  # to sign in
}


def test_who_may_cosign_the_commitment_and_for_which_union(world: World) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    url = reverse("enrolment-step", args=[enrolment.pk, COSIGN.name])
    assert _answers(url, PERSONAS) == MAY_COSIGN_AT_FIRST
    # The secretary confirms for the lead union through its own step.
    confirm = reverse("enrolment-step", args=[enrolment.pk, "confirm_commitment_union"])
    assert _client("secretary").get(confirm).status_code == 200

    # GMB's representative signs for GMB, and only once; that leaves UNISON's to come.
    response = _client("gmb").post(url, {"confirm": "on"})
    assert response.status_code == 302
    [signature] = Signature.objects.all()
    assert (signature.union.short_name, signature.signed_by) == ("GMB", world.users["gmb"])
    assert _answers(url, ["gmb", "unison", "other_gmb"]) == {
        "gmb": 403,
        "unison": 200,
        "other_gmb": 403,
    }
    with pytest.raises(services.StepError, match="already recorded"):
        _take(world, Enrolment.objects.get(pk=enrolment.pk), COSIGN.name, "gmb", confirm=True)


def test_the_commitment_waits_for_every_partner_union_represented_locally(world: World) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    enrolment = _take(world, enrolment, "confirm_commitment_union", "secretary", confirm=True)
    enrolment = _take(
        world,
        enrolment,
        "confirm_commitment_employer",
        "employer",
        confirm=True,
        accept_logo_terms=True,
    )
    # The secretary and the employer alone do not confirm it.
    assert enrolment.state == State.COMMITMENT_DRAFTED
    # The employer reads that the unions confirm it, without the partner unions named.
    page = _client("employer").get(reverse("enrolment", args=[enrolment.pk])).content.decode()
    assert "The unions confirm the commitment." in page
    assert "GMB" not in page and "UNISON" not in page and "co-sign" not in page.lower()
    secretary_page = _client("secretary").get(reverse("enrolment", args=[enrolment.pk]))
    assert "GMB: not yet co-signed" in secretary_page.content.decode()
    enrolment = _take(world, enrolment, COSIGN.name, "unison", confirm=True)
    assert enrolment.state == State.COMMITMENT_DRAFTED
    enrolment = _take(world, enrolment, COSIGN.name, "gmb", confirm=True)
    assert enrolment.state == State.COMMITTED
    cycle = Cycle.objects.get(enrolment=enrolment)
    assert cycle.partners_signed_at is not None
    assert sorted(Signature.objects.values_list("union__short_name", flat=True)) == [
        "GMB",
        "UNISON",
    ]


def test_a_revised_draft_is_co_signed_afresh(world: World) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    enrolment = _take(world, enrolment, COSIGN.name, "gmb", confirm=True)
    enrolment = _take(world, enrolment, "request_changes", "employer", reason="Another date.")
    assert not Signature.objects.exists()
    enrolment = world.journey().to_state(enrolment, State.COMMITMENT_DRAFTED, "secretary")
    url = reverse("enrolment-step", args=[enrolment.pk, COSIGN.name])
    assert _answers(url, ["gmb", "unison"]) == {"gmb": 200, "unison": 200}


def test_with_no_partner_union_represented_the_secretary_alone_confirms_for_the_unions(
    world: World,
) -> None:
    enrolment = world.enrolment(State.NEM_CLEARED)
    for name in ("GMB", "UNISON", "Unite"):
        enrolment = _take(
            world, enrolment, "mark_not_represented", "secretary", union=world.unions[name]
        )
    enrolment = world.journey().to_state(enrolment, State.COMMITMENT_DRAFTED, "secretary")
    assert not steps_waiting(world.users["gmb"]).rows
    enrolment = _take(world, enrolment, "confirm_commitment_union", "secretary", confirm=True)
    enrolment = _take(
        world,
        enrolment,
        "confirm_commitment_employer",
        "employer",
        confirm=True,
        accept_logo_terms=True,
    )
    assert enrolment.state == State.COMMITTED
    assert documents.letter(enrolment).letterhead == ["NASUWT"]
    assert "Submitted jointly by NASUWT." in documents.agenda_item(enrolment)


def test_the_letter_and_agenda_item_name_exactly_the_unions_that_co_sign(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    # A partner union that joins the scheme after the agreement took no part in it.
    world.scheme.partner_unions.add(Union.objects.create(name="Voice Union", short_name="Voice"))
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    letter = documents.letter(enrolment)
    assert letter.letterhead == ["NASUWT", "GMB", "UNISON"]
    assert [s.union for s in letter.signatories] == ["NASUWT", "GMB", "UNISON"]
    assert [s.name for s in letter.signatories[1:]] == ["Gmb", "Unison"]
    assert "Submitted jointly by NASUWT, GMB and UNISON." in documents.agenda_item(enrolment)


def test_a_partners_pending_signature_is_on_its_task_list_until_given(world: World) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)

    def waiting(persona: str) -> list[tuple[int, list[str]]]:
        found = steps_waiting(world.users[persona]).rows
        return [(e.pk, [s.name for s in steps]) for e, steps in found]

    assert waiting("gmb") == [(enrolment.pk, [COSIGN.name])]
    assert waiting("unison") == [(enrolment.pk, [COSIGN.name])]
    assert waiting("unite") == waiting("other_gmb") == []
    _take(world, enrolment, COSIGN.name, "gmb", confirm=True)
    assert waiting("gmb") == []
    assert waiting("unison") == [(enrolment.pk, [COSIGN.name])]
    page = _client("unison").get(reverse("tasks"))
    assert "Co-sign the commitment for a partner union" in page.content.decode()


def test_the_step_is_reminded_to_the_partner_unions_that_have_not_signed(world: World) -> None:
    enrolment = world.enrolment(State.COMMITMENT_DRAFTED)
    _take(world, enrolment, COSIGN.name, "gmb", confirm=True)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=15)
    with time_machine.travel(later, tick=False):
        send_reminders()
    reminded = SentReminder.objects.filter(key__contains=COSIGN.name)
    assert sorted(r.user.email for r in reminded) == ["unison@example.org"]


def _listed_review(world: World) -> tuple[Enrolment, Review]:
    enrolment = world.enrolment(State.LISTED)
    cycle = Cycle.objects.get(enrolment=enrolment)
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, "met", "next_cycle", cosign=False)
    return enrolment, review


def test_a_review_is_co_signed_by_the_partner_unions_before_the_employer_confirms(
    world: World,
) -> None:
    enrolment, review = _listed_review(world)
    cycle = review.cycle
    url = reverse("review-cosign", args=[review.pk])
    with time_machine.travel(cycle.ends_on, tick=False):
        assert _answers(url, PERSONAS) == MAY_COSIGN_AT_FIRST
        with pytest.raises(MembershipError, match="GMB, UNISON"):
            cycles.confirm_review(review, actor=world.users["employer"])
        employer_tasks = member_tasks(world.users["employer"])
        assert employer_tasks == []
        [task] = member_tasks(world.users["gmb"])
        assert task.actions == [("Co-sign the review of cycle 1", url)]

        assert _client("gmb").post(url, {"confirm": "on"}).status_code == 302
        assert _answers(url, ["gmb", "unison"]) == {"gmb": 403, "unison": 200}
        with pytest.raises(MembershipError, match="UNISON"):
            cycles.confirm_review(review, actor=world.users["employer"])
        with pytest.raises(MembershipError, match="not waiting for you"):
            cosigning.cosign_review(review, actor=world.users["gmb"])
        with pytest.raises(MembershipError, match="Only a representative"):
            cosigning.cosign_review(review, actor=world.users["secretary"])
        cosigning.cosign_review(review, actor=world.users["unison"])
        [task] = member_tasks(world.users["employer"])
        assert [label for label, _ in task.actions] == ["Confirm the review of cycle 1"]
        assert cycles.confirm_review(review, actor=world.users["employer"]).is_confirmed
    page = _client("secretary").get(reverse("enrolment", args=[enrolment.pk])).content.decode()
    assert "GMB: Gmb," in page and "UNISON: Unison," in page


def test_a_later_cycle_is_confirmed_once_the_partner_unions_have_co_signed(world: World) -> None:
    enrolment, review = _listed_review(world)
    world.cosign(review)
    cycles.confirm_review(review, actor=world.users["employer"])
    principles = world.scheme.current_principles()
    second = cycles.start_next_cycle(
        enrolment,
        actor=world.users["secretary"],
        data={
            **_cycle_terms(review.cycle),
            "principle_version": principles[0],
        },
    )
    cycles.confirm_cycle(second, actor=world.users["employer"])
    second.refresh_from_db()
    assert not second.is_confirmed
    assert _client("gmb").get(reverse("cycle-cosign", args=[second.pk])).status_code == 200
    assert _client("unite").get(reverse("cycle-cosign", args=[second.pk])).status_code == 403
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        send_reminders()
    cosign_reminders = SentReminder.objects.filter(
        kind=ReminderKind.CONFIRMATION_WAITING, key__endswith=":cosign"
    )
    assert sorted(r.user.email for r in cosign_reminders) == [
        "gmb@example.org",
        "unison@example.org",
    ]
    world.cosign(second)
    assert second.is_confirmed


def _cycle_terms(cycle: Cycle) -> dict[str, object]:
    start = cycle.ends_on + datetime.timedelta(days=1)
    return {
        "objectives": "Agree a facilities policy.",
        "success_criteria": "The policy is published.",
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=364),
        "activities": [{"detail": "Draft the policy", "owner": "HR", "due_on": start}],
        "self_assessments": [
            {"principle_version": v, "readiness": "partly", "priority": "medium"}
            for v in cycle.enrolment.scheme.current_principles()
        ],
    }
