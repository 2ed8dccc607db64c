"""The employer's own voice: its priorities and self-assessment, entered before the unions draft
a cycle, the draft starting from them, both versions shown where they differ, and the
employer's comment on a review.

The expected answers are written by hand from the issue ("The employer's own voice") and the
brief: only the employer's contact enters its view; the secretary, reps, partner reps, the NEM
and national officers in scope read it; everyone else is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership import cycles
from accord.membership.models import EmployerView, Review
from tests.world import PERSONAS, World, build_world


@dataclass
class Voice:
    world: World
    introduced: Enrolment  # world.employer's, waiting for its commitment to be drafted
    member: Enrolment  # the trust's, listed, its first cycle running
    clients: dict[str, Client]


@pytest.fixture(scope="module")
def voice(django_db_setup: None, django_db_blocker: Any) -> Iterator[Voice]:
    """One world for the module, rolled back at the end; each test's writes are rolled back
    after it (the `db` fixture)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        # The employer persona is the trust's contact too, so it confirms the trust's cycles.
        RoleAssignment.objects.create(
            user=world.users["employer"], role=Role.EMPLOYER_CONTACT, employer=world.trust
        )
        introduced = world.enrolment(State.INTRODUCED)
        member = world.enrolment(State.LISTED, employer=world.trust)
        clients = {}
        for persona in PERSONAS:
            clients[persona] = Client()
            clients[persona].force_login(world.users[persona])
        yield Voice(world, introduced, member, clients)
        transaction.set_rollback(True)


def _signed_in(voice: Voice, persona: str) -> Client:
    client = Client()
    client.force_login(voice.world.users[persona])
    return client


def _view_url(enrolment: Enrolment, number: int) -> str:
    return reverse("employer-view", args=[enrolment.pk, number])


def _answers(**changes: dict[str, str]) -> dict[str, str]:
    """A complete view: every principle partly in place, some work this year."""
    data = {"priorities": "Wellbeing first, then pay."}
    for n in range(1, 7):
        data.update({f"readiness_{n}": "partly", f"priority_{n}": "medium", f"narrative_{n}": ""})
    data.update({f"readiness_{n}": "not_yet" for n in (3,)})
    data.update({"priority_3": "high", "narrative_3": "No wellbeing policy yet."})
    for key, value in changes.items():
        data.update({key: value})
    return data


def _enter(voice: Voice, enrolment: Enrolment | None = None, number: int = 1) -> None:
    response = voice.clients["employer"].post(
        _view_url(enrolment or voice.introduced, number), _answers()
    )
    assert response.status_code == 302, response.content.decode()[:2000]


# --- the employer's form ----------------------------------------------------------------------


def test_the_employer_enters_its_view_and_changes_it_until_the_commitment_is_drafted(
    voice: Voice, db: None
) -> None:
    employer = voice.clients["employer"]
    url = _view_url(voice.introduced, 1)
    tasks = employer.get(reverse("tasks")).content.decode()
    assert "Enter your priorities and self-assessment" in tasks and url in tasks

    form = employer.get(url)
    assert form.status_code == 200
    assert 'name="readiness_6"' in form.content.decode()

    # Invalid: a principle left unrated, and a control character in the words.
    bad = employer.post(url, _answers(readiness_4="", narrative_2="Fine\x07"))
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert set(errors) == {"readiness_4", "narrative_2"}
    page = bad.content.decode()
    assert "Principle 4: where you are now" in page and "Principle 2: in your words" in page
    assert not EmployerView.objects.exists()

    assert employer.post(url, _answers()).status_code == 302
    view = EmployerView.objects.get(enrolment=voice.introduced, cycle_number=1)
    assert view.priorities == "Wellbeing first, then pay."
    readings = {
        a.principle_version.principle.number: (a.readiness, a.priority, a.narrative)
        for a in view.assessments.all()
    }
    assert readings[3] == ("not_yet", "high", "No wellbeing policy yet.")
    assert readings[1] == ("partly", "medium", "")
    assert len(readings) == 6
    entered = AuditEvent.objects.get(action="employer_view.enter")
    assert entered.changes["principle_3"] == [
        None,
        "Not yet in place; High priority this year; No wellbeing policy yet.",
    ]

    assert employer.post(url, _answers(priority_5="high")).status_code == 302
    changed = AuditEvent.objects.get(action="employer_view.change")
    assert changed.changes == {
        "principle_5": [
            "Partly in place; Some work this year",
            "Partly in place; High priority this year",
        ]
    }
    assert EmployerView.objects.count() == 1
    tasks = employer.get(reverse("tasks")).content.decode()
    assert "Enter your priorities and self-assessment" not in tasks


def test_nobody_but_the_employers_contact_may_enter_it(voice: Voice, db: None) -> None:
    url = _view_url(voice.introduced, 1)
    for persona in ("secretary", "rep", "officer", "other_employer", "auditor"):
        assert voice.clients[persona].post(url, _answers()).status_code == 403, persona
    assert not EmployerView.objects.exists()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]


# --- who reads it: the table, by hand --------------------------------------------------------

# persona: (GET of the employer's view, POST of a valid view, sees it on the enrolment page)
TABLE: dict[str, tuple[int, int, bool]] = {
    "rep": (200, 403, True),
    "secretary": (200, 403, True),
    "nem": (200, 403, True),
    "gmb": (200, 403, True),
    "unison": (200, 403, True),
    "unite": (200, 403, True),
    "officer": (200, 403, True),
    "employer": (200, 302, True),
    "auditor": (403, 403, False),
    "other_rep": (403, 403, False),
    "other_secretary": (403, 403, False),
    "other_nem": (403, 403, False),
    "other_gmb": (403, 403, False),
    "other_officer": (403, 403, False),
    "other_employer": (403, 403, False),
    "outsider": (403, 403, False),
}


def test_the_employers_view_is_read_by_the_unions_in_scope_and_entered_by_its_contact(
    voice: Voice, db: None
) -> None:
    assert set(TABLE) == set(PERSONAS)
    _enter(voice)
    url = _view_url(voice.introduced, 1)
    found = {}
    for persona, client in voice.clients.items():
        get = client.get(url).status_code
        page = client.get(voice.introduced.get_absolute_url())
        sees = page.status_code == 200 and 'data-testid="employer-views"' in page.content.decode()
        with transaction.atomic():
            post = client.post(url, _answers(priority_1="low")).status_code
            transaction.set_rollback(True)
        client.cookies.pop("messages", None)
        found[persona] = (get, post, sees)
    assert found == TABLE


# --- the secretary's draft, and both versions side by side -----------------------------------


def _draft_post(voice: Voice, **changes: str) -> dict[str, str]:
    versions = voice.world.scheme.current_principles()
    start = datetime.date.today()
    data = {
        "principle": str(versions[2].pk),
        "objectives": "Agree a wellbeing policy",
        "success_criteria": "Policy adopted",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=364)).isoformat(),
        "activities-TOTAL_FORMS": "5",
        "activities-INITIAL_FORMS": "0",
        "activities-0-detail": "Draft the policy",
        "activities-0-owner": "HR",
        "activities-0-due_on": (start + datetime.timedelta(days=90)).isoformat(),
    }
    answers = _answers()
    for n in range(1, 7):
        for field in ("readiness", "priority", "narrative"):
            data[f"{field}_{n}"] = answers[f"{field}_{n}"]
    data.update(changes)
    return data


def test_the_draft_starts_from_the_employers_view_and_the_page_shows_where_they_differ(
    voice: Voice, db: None, django_assert_max_num_queries: Any
) -> None:
    _enter(voice)
    secretary = voice.clients["secretary"]
    step_url = reverse("enrolment-step", args=[voice.introduced.pk, "draft_commitment"])
    form_page = secretary.get(step_url)
    form = form_page.context["form"]
    assert form["readiness_3"].value() == "not_yet"
    assert form["priority_3"].value() == "high"
    assert form["narrative_3"].value() == "No wellbeing policy yet."
    assert form["readiness_1"].value() == "partly"
    assert 'data-testid="employer-view-prefilled"' in form_page.content.decode()
    # The employer's priorities, in its own words, are before the secretary too.
    assert "Wellbeing first, then pay." in form_page.content.decode()

    # The secretary drafts it with principle 2 rated differently.
    drafted = secretary.post(step_url, _draft_post(voice, readiness_2="in_place"))
    assert drafted.status_code == 302
    with django_assert_max_num_queries(12):
        page = secretary.get(voice.introduced.get_absolute_url())
    html = page.content.decode()
    assert "The employer's view</th>" in html and "As drafted</th>" in html
    differences = page.context["employer_views"][0]["differences"]
    assert [d.principle.number for d in differences] == [2]
    assert differences[0].employer.readiness == "partly"
    assert differences[0].drafted.readiness == "in_place"

    # Drafted: the employer reads its view, but may change it no more.
    employer = voice.clients["employer"]
    url = _view_url(voice.introduced, 1)
    closed = employer.get(url)
    assert closed.status_code == 200 and "form" not in closed.context
    assert "can no longer be changed" in closed.content.decode()
    refused = employer.post(url, _answers(priority_1="low"))
    assert refused.status_code == 400
    assert "can no longer be changed" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="employer_view.change").exists()


def test_a_draft_that_keeps_the_employers_view_says_so(voice: Voice, db: None) -> None:
    _enter(voice)
    secretary = voice.clients["secretary"]
    step_url = reverse("enrolment-step", args=[voice.introduced.pk, "draft_commitment"])
    assert secretary.post(step_url, _draft_post(voice)).status_code == 302
    html = secretary.get(voice.introduced.get_absolute_url()).content.decode()
    assert 'data-testid="employer-view-same-1"' in html
    assert 'data-testid="employer-view-differences-1"' not in html


# --- later cycles and the review ------------------------------------------------------------


def test_before_the_next_cycle_the_employer_gives_its_view_and_comments_on_the_review(
    voice: Voice, db: None, django_assert_max_num_queries: Any
) -> None:
    member, employer = voice.member, voice.clients["employer"]
    cycle = member.first_cycle
    url = _view_url(member, 2)
    # Long before the review, the view for cycle 2 is not open yet.
    assert employer.get(url).status_code == 404

    with time_machine.travel(cycle.ends_on, tick=False):
        # Signed in afresh: a session left idle for a year has ended.
        employer, secretary = _signed_in(voice, "employer"), _signed_in(voice, "secretary")
        assert url in employer.get(reverse("tasks")).content.decode()
        with django_assert_max_num_queries(12):
            assert employer.get(url).status_code == 200
        assert employer.post(url, _answers()).status_code == 302
        review = voice.world.review(cycle)
        confirm_url = reverse("review-confirm", args=[review.pk])

        bad = employer.post(confirm_url, {"confirm": "on", "comment": "Fine\x00"})
        assert bad.status_code == 400 and set(bad.context["form"].errors) == {"comment"}
        assert not Review.objects.get(pk=review.pk).is_confirmed

        comment = "We would add that the staff survey came late."
        assert employer.post(confirm_url, {"confirm": "on", "comment": comment}).status_code == 302
        review.refresh_from_db()
        assert review.is_confirmed and review.employer_comment == comment
        event = AuditEvent.objects.get(action="review.confirm")
        assert event.changes["employer_comment"] == ["", comment] and event.note == comment
        page = secretary.get(member.get_absolute_url()).content.decode()
        assert comment in page and "The employer's comment" in page

        # The secretary's next cycle starts from the employer's view for cycle 2.
        form = secretary.get(reverse("cycle-new", args=[member.pk]))
        assert form.context["form"]["priority_3"].value() == "high"
        assert form.context["form"]["readiness_3"].value() == "not_yet"


def test_a_review_confirmed_without_a_comment_shows_none(voice: Voice, db: None) -> None:
    cycle = voice.member.first_cycle
    with time_machine.travel(cycle.ends_on, tick=False):
        review = voice.world.review(cycle)
        cycles.confirm_review(review, actor=voice.world.users["employer"])
    review.refresh_from_db()
    assert review.employer_comment == ""
    page = voice.clients["secretary"].get(voice.member.get_absolute_url()).content.decode()
    assert 'data-testid="review-comment"' not in page
