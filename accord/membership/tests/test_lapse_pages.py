"""Lapse, never silent: who may take the decision "extend or lapse" (a hand-written table), the
officer's task list, and what a lapse does to the public register at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.membership import services
from accord.membership.models import (
    Membership,
    MembershipStatus,
)
from accord.membership.services import MembershipError
from accord.membership.tests.test_lapse import TODAY, _overdue_member
from tests.world import World, build_world

# Who may open and take the decision page: written out by hand from the brief.
DECISION_PAGE = {
    "officer": 200,  # national officer of the lead union
    "other_officer": 403,  # national officer of a partner union
    "secretary": 403,
    "nem": 403,
    "rep": 403,
    "unison": 403,  # partner union representative
    "employer": 403,
    "auditor": 403,
}


@pytest.fixture(scope="module")
def decided(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, dict]]:
    """One overdue member; the persona table is read, then the officer lapses the membership.
    Made once for the module and rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        decision = _overdue_member(world)
        url = reverse("lapse-decision", args=[decision.pk])
        seen: dict[str, Any] = {"anonymous": Client().get(url)}
        for persona in DECISION_PAGE:
            client = Client()
            client.force_login(world.users[persona])
            seen[persona] = (client.get(url).status_code, client.post(url, {}).status_code)
        officer = Client()
        officer.force_login(world.users["officer"])
        seen["tasks"] = officer.get(reverse("tasks")).content.decode()
        seen["lapse"] = officer.post(
            url,
            {
                "outcome": "lapse",
                "reasons": "No review for five months despite three reminders.",
                "logo_stop_requested_on": TODAY.isoformat(),
            },
        )
        seen["decision"] = decision
        yield world, seen
        transaction.set_rollback(True)


def test_only_the_lead_unions_officer_may_decide(decided: tuple[World, dict]) -> None:
    _, seen = decided
    assert seen["anonymous"].status_code == 302
    assert "/accounts/login/" in seen["anonymous"]["Location"]
    found = {persona: seen[persona][0] for persona in DECISION_PAGE}
    assert found == DECISION_PAGE
    # A POST is refused the same way, and an empty one by the officer is a form error.
    posted = {persona: seen[persona][1] for persona in DECISION_PAGE}
    assert posted == {**DECISION_PAGE, "officer": 400}


def test_the_decision_is_on_the_officers_task_list(decided: tuple[World, dict]) -> None:
    _, seen = decided
    assert "Decide: extend or lapse" in seen["tasks"]
    assert reverse("lapse-decision", args=[seen["decision"].pk]) in seen["tasks"]


def test_a_lapse_shows_on_the_register_at_once(decided: tuple[World, dict]) -> None:
    _, seen = decided
    assert seen["lapse"].status_code == 302
    membership = Membership.objects.get()
    assert membership.status == MembershipStatus.LAPSED
    assert (membership.status_since, membership.logo_stop_requested_on) == (TODAY, TODAY)
    public = Client()
    register = public.get(reverse("register")).content.decode()
    assert "Northtown High School" in register and "Lapsed" in register
    page = public.get(membership.get_absolute_url()).content.decode()
    assert f"has not been a member of the Valued Worker Scheme since {TODAY:%-d %B %Y}" in page
    assert "Download the logo pack" not in page
    certificate = public.get(reverse("verification-certificate", args=[membership.reference]))
    assert certificate.status_code == 410
    assert public.get(reverse("logo-pack", args=[membership.reference])).status_code == 410
    rows = list(csv.DictReader(io.StringIO(b"".join(public.get("/register.csv")).decode())))
    assert [(r["reference"], r["status"], r["status_since"]) for r in rows] == [
        (membership.reference, "Lapsed", TODAY.isoformat())
    ]
    assert AuditEvent.objects.filter(action="membership.lapse_decision_lapse").count() == 1


def test_a_lapsed_membership_is_not_reinstated_by_the_button(decided: tuple[World, dict]) -> None:
    world, _ = decided
    membership = Membership.objects.get()
    with pytest.raises(MembershipError, match="cannot be reinstated"):
        services.change_status(
            membership, "reinstate", actor=world.users["officer"], reason="Asked nicely."
        )
