"""When an employer contact sees its enrolment, read two ways: `can_view_enrolment` (one
enrolment) and the list's filter (`visible_enrolments_q`) must agree, and say what the brief
says: once the unions have approached the employer, or from the start if it asked to join."""

from __future__ import annotations

import pytest

from accord.enrolments import rules
from accord.enrolments.models import ApproachMethod, Enrolment, Initiator
from accord.enrolments.process import State
from accord.enrolments.selectors import visible_enrolments
from tests.world import World

# (who initiated it, how it was approached) -> the employer contact sees it; by hand.
EXPECTED = {
    (Initiator.UNION, ""): False,
    (Initiator.UNION, ApproachMethod.JCC): True,
    (Initiator.UNION, ApproachMethod.JOINT_LETTER): True,
    (Initiator.EMPLOYER, ""): True,
    (Initiator.EMPLOYER, ApproachMethod.JOINT_LETTER): True,
}


@pytest.mark.parametrize(("initiated_by", "approach_method"), list(EXPECTED))
def test_the_employer_sees_its_enrolment_once_approached_or_if_it_asked(
    world: World, initiated_by: Initiator, approach_method: str
) -> None:
    enrolment = Enrolment.objects.create(
        scheme=world.scheme,
        employer=world.employer,
        state=State.APPROACHED if approach_method else State.PROPOSED,
        initiated_by=initiated_by,
        approach_method=approach_method,
        proposed_by=world.users["rep"],
    )
    contact = world.users["employer"]
    expected = EXPECTED[(initiated_by, approach_method)]
    assert rules.can_view_enrolment(contact, enrolment) is expected
    assert visible_enrolments(contact).filter(pk=enrolment.pk).exists() is expected
