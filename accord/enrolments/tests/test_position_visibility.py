"""Whose position each persona reads on a case: a partner rep reads their own union's position
(with its reasons) and the outcome; the lead union's officers (local secretary, NEM, national
officers) and the auditor read every union's; the employer none.

The expected answers are written out by hand from issue 12 ("Least privilege") and the product
brief's roles, never read from the rules under test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.enrolments import rules, services
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State, step
from tests.world import PASSWORD, World

NEM_CLEARED_NOTE = "NEMNOTE-clear-to-consult"
GMB_REASONS = "GMBREASON-members-support-it"
UNISON_REASONS = "UNISONREASON-pay-dispute-ongoing"
OBJECTION = "NEMOBJECTION-outsourcing-row"

# persona -> which of the four texts they read on the case pages (True: shown).
# nem note: the lead union's NEM cleared the case; gmb: GMB agreed; unison: UNISON disagreed
# (which closed the case); objection: on another case, the NEM objected (which closed it).
READS: dict[str, dict[str, bool]] = {
    # The lead union's officers and the auditor read every union's position.
    "secretary": {"nem": True, "gmb": True, "unison": True, "objection": True},
    "nem": {"nem": True, "gmb": True, "unison": True, "objection": True},
    "officer": {"nem": True, "gmb": True, "unison": True, "objection": True},
    "auditor": {"nem": True, "gmb": True, "unison": True, "objection": True},
    # A workplace rep of the lead union reads their own union's (the NEM's) decisions only.
    "rep": {"nem": True, "gmb": False, "unison": False, "objection": True},
    # Each partner rep reads their own union's position only.
    "gmb": {"nem": False, "gmb": True, "unison": False, "objection": False},
    "unison": {"nem": False, "gmb": False, "unison": True, "objection": False},
    "unite": {"nem": False, "gmb": False, "unison": False, "objection": False},
    # The employer never reads union deliberations.
    "employer": {"nem": False, "gmb": False, "unison": False, "objection": False},
}
MARKERS = {"nem": NEM_CLEARED_NOTE, "gmb": GMB_REASONS, "unison": UNISON_REASONS}


def _take(world: World, enrolment: Enrolment, name: str, who: str, **data: object) -> Enrolment:
    return services.take_step(enrolment, step(name), actor=world.users[who], data=data)


@pytest.fixture
def cases(world: World) -> tuple[Enrolment, Enrolment]:
    disagreed = world.enrolment(State.ENDORSED)
    _take(world, disagreed, "record_no_objection", "nem", note=NEM_CLEARED_NOTE)
    _take(world, disagreed, "record_partner_position", "gmb", position="agree", reason=GMB_REASONS)
    disagreed = _take(
        world,
        disagreed,
        "record_partner_position",
        "unison",
        position="disagree",
        reason=UNISON_REASONS,
    )
    assert disagreed.state == State.PARTNER_DISAGREED
    objected = world.enrolment(State.ENDORSED, world.trust)
    objected = _take(world, objected, "record_objection", "nem", reason=OBJECTION)
    assert objected.state == State.OBJECTED
    return disagreed, objected


def _page(who: str, enrolment: Enrolment) -> str:
    client = Client()
    assert client.login(username=f"{who}@example.org", password=PASSWORD)
    response = client.get(reverse("enrolment", args=[enrolment.pk]))
    if who == "employer" and response.status_code == 403:
        return ""  # a case the unions closed before approaching the employer
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", sorted(READS))
def test_each_persona_reads_exactly_the_positions_the_table_gives_them(
    world: World, cases: tuple[Enrolment, Enrolment], who: str
) -> None:
    disagreed, objected = cases
    page = _page(who, disagreed)
    shown = {key: marker in page for key, marker in MARKERS.items()}
    expected = {key: READS[who][key] for key in MARKERS}
    assert shown == expected
    if who in {"rep", "employer"}:
        return  # the trust's case is out of the school rep's and contact's scope
    assert (OBJECTION in _page(who, objected)) is READS[who]["objection"]


@pytest.mark.parametrize("who", ["gmb", "unison", "unite", "rep"])
def test_a_partner_or_workplace_rep_still_sees_the_outcome(
    world: World, cases: tuple[Enrolment, Enrolment], who: str
) -> None:
    disagreed, _ = cases
    assert "A partner union disagreed" in _page(who, disagreed)


def test_the_rule_answers_per_union(world: World, cases: tuple[Enrolment, Enrolment]) -> None:
    disagreed, _ = cases
    gmb, unison = world.unions["GMB"].pk, world.unions["UNISON"].pk
    lead = world.scheme.lead_union_id
    expected = {
        # persona: (GMB's, UNISON's, the lead union's, every union's)
        "secretary": (True, True, True, True),
        "nem": (True, True, True, True),
        "officer": (True, True, True, True),
        "auditor": (True, True, True, True),
        "rep": (False, False, True, False),
        "gmb": (True, False, False, False),
        "unison": (False, True, False, False),
        "unite": (False, False, False, False),
        "employer": (False, False, False, False),
        "other_officer": (False, False, False, False),
        "other_gmb": (False, False, False, False),
        "outsider": (False, False, False, False),
    }
    for who, answers in expected.items():
        user = world.users[who]
        asked = tuple(
            rules.can_see_position(user, disagreed, union) for union in (gmb, unison, lead, None)
        )
        assert asked == answers, who
