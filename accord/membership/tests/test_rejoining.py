"""A withdrawal closes a membership for good; the employer may later be proposed again, and the
new enrolment's listing brings it back under the same reference, with the history kept."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.enrolments import services as enrolments
from accord.enrolments.models import Enrolment, Initiator
from accord.enrolments.process import State
from accord.membership import services
from accord.membership.models import Membership, MembershipStatus
from tests.world import PASSWORD, World

TODAY = datetime.date.today()


def _withdraw(world: World, membership: Membership) -> Membership:
    return services.change_status(
        membership,
        "withdraw",
        actor=world.users["officer"],
        reason="The employer asked to leave the scheme.",
        logo_stop_requested_on=TODAY,
    )


def _propose(world: World) -> Enrolment:
    return enrolments.propose(
        scheme=world.scheme,
        employer=world.employer,
        actor=world.users["secretary"],
        data={"initiated_by": Initiator.UNION, "reason": "New leadership, good relations."},
    )


def test_withdrawn_member_can_rejoin_with_a_new_enrolment(world: World) -> None:
    first = world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    reference = membership.reference
    _withdraw(world, membership)

    # A year later the employer is proposed again and taken all the way through.
    with time_machine.travel(TODAY + datetime.timedelta(days=400), tick=False):
        second = world.enrolment(State.LISTED)
        rejoined_on = datetime.date.today() - datetime.timedelta(days=2)

    assert second.pk != first.pk
    membership = Membership.objects.get()  # the same membership, back again
    assert membership.reference == reference
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.enrolment == second
    assert membership.member_since == rejoined_on
    assert membership.status_since == rejoined_on
    assert membership.logo_stop_requested_on is None
    # The old enrolment is kept, closed by the withdrawal, and still listed on its dates.
    first.refresh_from_db()
    assert first.state == State.WITHDRAWN
    assert first.listed_on == TODAY - datetime.timedelta(days=2)
    actions = list(
        AuditEvent.objects.filter(action__startswith="membership.").values_list("action", flat=True)
    )
    assert actions == ["membership.withdraw", "membership.rejoin"]

    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    page = client.get(reverse("employer", args=[world.employer.pk])).content.decode()
    assert first.get_absolute_url() in page and second.get_absolute_url() in page
    assert client.get(first.get_absolute_url()).status_code == 200
    register = Client().get(reverse("register")).content.decode()
    assert "Northtown High School" in register
    verdict = Client().get(membership.get_absolute_url()).content.decode()
    assert "is a member of the Valued Worker Scheme" in verdict


def test_withdrawal_closes_the_members_enrolment_so_a_proposal_is_accepted(
    world: World,
) -> None:
    listed = world.enrolment(State.LISTED)
    _withdraw(world, Membership.objects.get())
    listed.refresh_from_db()
    assert listed.state == State.WITHDRAWN
    assert listed.closed_reason == "The employer asked to leave the scheme."
    assert _propose(world).state == State.PROPOSED


def test_a_withdrawn_membership_cannot_be_reinstated(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = _withdraw(world, Membership.objects.get())
    with pytest.raises(services.MembershipError, match="cannot be reinstated"):
        services.change_status(
            membership, "reinstate", actor=world.users["officer"], reason="Changed our minds"
        )


def test_a_member_or_suspended_member_cannot_be_proposed_again(world: World) -> None:
    world.enrolment(State.LISTED)
    with pytest.raises(enrolments.StepError, match="already has an open enrolment"):
        _propose(world)
    services.change_status(
        Membership.objects.get(),
        "suspend",
        actor=world.users["officer"],
        reason="Policy check found a detriment",
        logo_stop_requested_on=TODAY,
    )
    with pytest.raises(enrolments.StepError, match="already has an open enrolment"):
        _propose(world)


def test_a_withdrawn_member_takes_no_new_policy_checks_or_progress(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    activity = enrolment.cycles.get().actions.first()
    _withdraw(world, membership)
    employer = Client()
    employer.login(username="employer@example.org", password=PASSWORD)
    log = reverse("policy-check-new", args=[membership.pk])
    assert employer.get(log).status_code == 403
    assert employer.post(log, {"title": "New policy"}).status_code == 403
    response = employer.post(activity.get_absolute_url(), {"text": "Still going"})
    assert response.status_code == 403
    assert not activity.progress.exists()
