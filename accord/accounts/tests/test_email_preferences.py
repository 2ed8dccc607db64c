"""The e-mail preferences page: each person chooses, for themselves only, how often each kind
of optional e-mail comes; every change is audited."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accord.accounts import emails
from accord.accounts.models import EmailPreference
from accord.core.models import AuditEvent
from tests.world import PASSWORD, World

URL = "/accounts/email-preferences/"
ALL_AT_ONCE = {
    "steps": "at_once",
    "join_requests": "at_once",
    "policy_checks": "at_once",
    "reminders": "at_once",
}


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def test_the_page_is_at_its_address_and_in_the_account_menu(world: World) -> None:
    assert reverse("email-preferences") == URL
    page = _client("rep").get(reverse("tasks")).content.decode()
    assert f'<a href="{URL}">E-mail preferences</a>' in page


def test_someone_signed_out_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Client().post(URL, {**ALL_AT_ONCE, "steps": "weekly"}).status_code == 302
    assert not EmailPreference.objects.exists()


def test_the_page_lists_each_kind_and_says_what_is_always_sent(world: World) -> None:
    response = _client("secretary").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Your e-mail preferences</h1>" in html
    for label in (
        "Joining steps waiting on you",
        "Employers asking to join",
        "New policies to assess",
        "Reminders of work due or overdue",
    ):
        assert f'<legend class="label">{label}</legend>' in html
    assert len(re.findall(r'value="at_once" required id="id_\w+_0" checked', html)) == 4
    assert "Always sent at once" in html and "password resets" in html


def test_a_person_changes_their_own_preferences_and_the_change_is_audited(
    world: World,
) -> None:
    secretary, nem = world.users["secretary"], world.users["nem"]
    response = _client("secretary").post(
        URL, {**ALL_AT_ONCE, "steps": "daily", "reminders": "weekly"}
    )
    assert response.status_code == 302 and response["Location"] == URL
    assert emails.preferences(secretary) == {**ALL_AT_ONCE, "steps": "daily", "reminders": "weekly"}
    assert emails.preferences(nem) == ALL_AT_ONCE
    event = AuditEvent.objects.get(action="person.email_preferences")
    assert event.actor == secretary and event.target_id == str(secretary.pk)
    assert event.changes == {
        "Joining steps waiting on you": ["At once, one e-mail each time", "In a daily digest"],
        "Reminders of work due or overdue": [
            "At once, one e-mail each time",
            "In a weekly digest",
        ],
    }
    page = _client("secretary").get(URL).content.decode()
    assert 'value="daily" required id="id_steps_1" checked' in page
    # The same choice again changes nothing and records nothing.
    _client("secretary").post(URL, {**ALL_AT_ONCE, "steps": "daily", "reminders": "weekly"})
    assert AuditEvent.objects.filter(action="person.email_preferences").count() == 1


def test_nobody_can_see_or_change_anothers_preferences(world: World) -> None:
    nem = world.users["nem"]
    _client("nem").post(URL, {**ALL_AT_ONCE, "steps": "weekly"})
    # The page has no one's id in it: whatever is added, the signed-in person's own are shown
    # and changed.
    secretary = _client("secretary")
    page = secretary.get(URL, {"user": nem.pk, "pk": nem.pk}).content.decode()
    assert 'value="weekly" required id="id_steps_2" checked' not in page
    assert 'value="at_once" required id="id_steps_0" checked' in page
    secretary.post(
        f"{URL}?user={nem.pk}", {**ALL_AT_ONCE, "user": nem.pk, "pk": nem.pk, "steps": "daily"}
    )
    assert emails.preferences(nem)["steps"] == "weekly"
    assert emails.preferences(world.users["secretary"])["steps"] == "daily"
    # The service itself refuses anyone but the person.
    try:
        emails.set_preferences(nem, ALL_AT_ONCE, actor=world.users["officer"])
    except PermissionError:
        pass
    else:
        raise AssertionError("An officer changed someone else's preferences")
    assert emails.preferences(nem)["steps"] == "weekly"


def test_an_unknown_choice_is_refused_on_its_field(world: World) -> None:
    response = _client("rep").post(URL, {**ALL_AT_ONCE, "steps": "hourly"})
    assert response.status_code == 400
    assert "steps" in response.context["form"].errors
    html = response.content.decode()
    assert "There is a problem" in html or "error-summary" in html
    assert not EmailPreference.objects.exists()


def test_the_employer_contact_is_offered_only_the_kinds_their_role_receives(
    world: World,
) -> None:
    html = _client("employer").get(URL).content.decode()
    for label in ("Joining steps waiting on you", "Reminders of work due or overdue"):
        assert f'<legend class="label">{label}</legend>' in html
    for label in ("Employers asking to join", "New policies to assess"):
        assert label not in html


def test_a_posted_choice_for_a_kind_not_offered_is_ignored(world: World) -> None:
    employer = world.users["employer"]
    response = _client("employer").post(
        URL, {"steps": "at_once", "reminders": "daily", "join_requests": "weekly"}
    )
    assert response.status_code == 302
    assert emails.preferences(employer) == {**ALL_AT_ONCE, "reminders": "daily"}


def test_someone_whose_roles_receive_none_of_the_kinds_reads_a_sentence(world: World) -> None:
    response = _client("auditor").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "None of your roles in Accord receives e-mails you can put in a digest, so there is "
        "nothing to choose here." in html
    )
    assert "<legend" not in html and "Save your e-mail preferences" not in html
    assert _client("auditor").post(URL, {"steps": "weekly"}).status_code == 302
    assert emails.preferences(world.users["auditor"]) == ALL_AT_ONCE


def test_a_tampered_choice_is_refused_naming_the_kind_without_echoing_it(world: World) -> None:
    response = _client("secretary").post(URL, {**ALL_AT_ONCE, "reminders": "hourly"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at once, daily or weekly for reminders of work due or overdue." in html
    assert "hourly" not in html
    assert emails.preferences(world.users["secretary"]) == ALL_AT_ONCE
