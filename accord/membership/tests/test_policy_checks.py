"""Policy checks: logged by either side, assessed by the unions, a detriment put before
national officers."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership.models import Membership, PolicyCheck
from tests.world import PASSWORD, World


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def test_a_policy_is_logged_assessed_as_a_detriment_and_officers_told(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    employer = _client("employer")
    new_url = reverse("policy-check-new", args=[membership.pk])
    bad = employer.post(new_url, {"title": "", "description": "x"})
    assert bad.status_code == 400 and "title" in bad.context["form"].errors
    deliver_outbox()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = employer.post(
            new_url,
            {
                "title": "Zero-hours contracts for lunchtime supervisors",
                "description": "New supervisors are engaged on zero-hours terms.",
            },
        )
    deliver_outbox()
    check = PolicyCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == check.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["secretary@example.org"]]

    secretary = _client("secretary")
    tasks = secretary.get(reverse("tasks")).context["member_tasks"]
    assert (
        "Assess the policy “Zero-hours contracts for lunchtime supervisors”",
        check.get_absolute_url(),
    ) in tasks[0].actions
    principle_4 = world.scheme.current_principles()[3]
    missing = secretary.post(
        check.get_absolute_url(),
        {
            "assessment": "detriment",
            "reasoning": "Insecure work",
            "union_response": "Withdraw it",
        },
    )
    assert missing.status_code == 400
    assert "Name the principles" in missing.context["form"].errors["principles"][0]
    assert (
        employer.post(
            check.get_absolute_url(),
            {
                "assessment": "consistent",
                "reasoning": "x",
                "union_response": "x",
            },
        ).status_code
        == 403
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = secretary.post(
            check.get_absolute_url(),
            {
                "assessment": "detriment",
                "principles": [principle_4.pk],
                "reasoning": "Insecure work, below the living wage",
                "union_response": "Offer contracted hours at the living wage",
            },
        )
    deliver_outbox()
    assert done.status_code == 302
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]
    assert "consider suspension" in mail.outbox[0].subject
    check.refresh_from_db()
    assert check.assessment == "detriment"
    assert [v.principle.number for v in check.principles.all()] == [4]

    page = employer.get(check.get_absolute_url()).content.decode()
    assert "A detriment identified" in page and "Offer contracted hours" in page
    officer_page = _client("officer").get(check.get_absolute_url()).content.decode()
    assert reverse("membership-status", args=[membership.pk, "suspend"]) in officer_page
    assert AuditEvent.objects.filter(action__startswith="policy_check.").count() == 2


def test_policy_checks_are_for_those_in_scope(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    new_url = reverse("policy-check-new", args=[membership.pk])
    for persona in ("other_secretary", "other_employer", "auditor", "outsider", "nem"):
        assert _client(persona).get(new_url).status_code == 403, persona
    for persona in ("rep", "secretary", "gmb", "employer"):
        assert _client(persona).get(new_url).status_code == 200, persona
    check = PolicyCheck.objects.create(
        membership=membership, title="T", description="D", logged_by=world.users["rep"]
    )
    assert _client("other_employer").get(check.get_absolute_url()).status_code == 403
    assert _client("auditor").get(check.get_absolute_url()).status_code == 200
