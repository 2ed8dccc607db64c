"""One listing date: the employer page, the enrolment page, the register and the verification
page all give the date the national officer recorded for the listing."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership.models import Membership
from tests.world import PASSWORD, World

LISTED_ON = datetime.date(2026, 11, 23)


def test_the_employer_page_register_and_enrolment_page_agree_on_the_listing_date(
    world: World,
) -> None:
    # Run on 25 November, the journey lists the employer as of 23 November; the moment the
    # state changed is then moved to 26 September, as the demo data spreads its cases out.
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False):
        enrolment = world.enrolment(State.LISTED)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        state_changed_at=datetime.datetime(2026, 9, 26, 12, 0, tzinfo=datetime.UTC)
    )
    enrolment.refresh_from_db()
    assert enrolment.listed_on == LISTED_ON

    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    employer_page = client.get(reverse("employer", args=[world.employer.pk])).content.decode()
    assert "(since 23 Nov 2026)" in employer_page
    assert "26 Sep 2026" not in employer_page

    enrolment_page = client.get(enrolment.get_absolute_url()).content.decode()
    assert "23 November 2026" in enrolment_page
    assert "26 September 2026" not in enrolment_page

    membership = Membership.objects.get()
    verification = Client().get(membership.get_absolute_url()).content.decode()
    assert "Member since 23 November 2026" in verification
    register = Client().get(reverse("register")).content.decode()
    assert "November 2026" in register and "September 2026" not in register
