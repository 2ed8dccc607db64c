"""A person downloads everything Accord holds about them, one zip with data.json and
index.html; a national officer produces the same for a request made offline, audited."""

from __future__ import annotations

import io
import json
import zipfile

from django.db import transaction
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.core import audit
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.world import PASSWORD, World

from .personal_data import EMAIL, NAME, NOTE_BY_THEM, seed_subject

# Every kind of record seeded for Zoë, and how it shows in data.json: the kinds of rows that
# point to her, by model.
RECORD_KINDS = {
    "enrolments.enrolment",
    "enrolments.note",
    "accounts.invitation",
    "accounts.emailpreference",
    "accounts.heldemail",
    "notifications.sentreminder",
}
# Audit events about her: what she did, what was done to her account, and her roles' history.
AUDIT_ACTIONS = {"enrolment.propose", "person.create", "role.grant", "role.end"}


def _download(client: Client, url: str) -> tuple[dict, str]:
    response = client.post(url, {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "index.html"]
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_a_person_downloads_every_kind_of_record_held_about_them(world: World) -> None:
    subject = seed_subject(world)
    client = _signed_in(subject.person)
    assert client.get(reverse("own-data")).status_code == 200
    data, page = _download(client, reverse("own-data"))

    assert data["profile"]["full_name"] == NAME and data["profile"]["email"] == EMAIL
    assert [row["email"] for row in data["email_addresses"]["rows"]] == [EMAIL]
    roles = {(row["employer_id"], row["end_reason"]) for row in data["roles"]["rows"]}
    assert roles == {(world.employer.pk, ""), (world.other_employer.pk, "Moved school")}
    kinds = {section["kind"] for section in data["records"]}
    assert kinds >= RECORD_KINDS, RECORD_KINDS - kinds
    notes = next(s for s in data["records"] if s["kind"] == "enrolments.note")["rows"]
    assert [row["text"] for row in notes] == [NOTE_BY_THEM]
    held = next(s for s in data["records"] if s["kind"] == "accounts.heldemail")["rows"]
    assert held[0]["subject"] == "A held reminder for the digest"
    reminders = next(s for s in data["records"] if s["kind"] == "notifications.sentreminder")
    assert reminders["rows"][0]["text"] == "A reminder sent to them about the proposal"
    assert any("invit" in row["subject"].lower() for row in data["emails"]["rows"])
    assert all(row["to"] == EMAIL for row in data["emails"]["rows"])
    actions = {row["action"] for row in data["audit_events"]["rows"]}
    assert actions >= AUDIT_ACTIONS, AUDIT_ACTIONS - actions

    # The readable page carries the same, and no secret is in either.
    for text in (NAME, EMAIL, NOTE_BY_THEM, "Moved school", "A held reminder for the digest"):
        assert text in page, text
    raw = json.dumps(data)
    assert subject.person.password not in raw and "token_hash" not in raw
    assert "pbkdf2" not in raw and "argon2" not in raw and "md5$" not in raw
    # E-mails' HTML parts are shown as text, escaped.
    assert "<script" not in page and ' style="' not in page
    event = AuditEvent.objects.get(action="person.subject_access")
    assert event.actor == subject.person


def test_an_officer_produces_a_persons_data_for_a_request_made_offline(world: World) -> None:
    subject = seed_subject(world)
    officer = _signed_in(world.users["officer"])
    person_page = officer.get(reverse("person", args=[subject.person.pk])).content.decode()
    assert reverse("person-data", args=[subject.person.pk]) in person_page
    data, _ = _download(officer, reverse("person-data", args=[subject.person.pk]))
    assert data["profile"]["email"] == EMAIL
    event = AuditEvent.objects.get(action="person.subject_access")
    assert event.actor == world.users["officer"] and event.target_id == str(subject.person.pk)
    # Someone who may not is refused, and nothing is produced or recorded.
    other = _signed_in(world.users["other_officer"])
    assert other.post(reverse("person-data", args=[subject.person.pk]), {}).status_code == 403
    assert AuditEvent.objects.filter(action="person.subject_access").count() == 1


def test_someone_outside_the_unions_gets_none_of_the_unions_reasons_or_deliberations(
    world: World,
) -> None:
    contact = world.users["employer"]
    enrolment = world.enrolment(State.LISTED)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        logo_terms_accepted_by=contact,
        reason="UNION-ONLY why it was proposed",
        exception_reason="UNION-ONLY exception",
        closed_reason="UNION-ONLY closing",
    )
    with transaction.atomic():
        audit.log_action(
            enrolment,
            "enrolment.note",
            actor=world.users["secretary"],
            summary=f"Spoke about {contact.email}",
            note="UNION-ONLY deliberation",
            internal=True,
        )
        audit.log_action(
            enrolment,
            "enrolment.note",
            actor=world.users["secretary"],
            summary=f"Wrote to {contact.email}",
        )
    data, page = _download(_signed_in(contact), reverse("own-data"))
    rows = next(s for s in data["records"] if s["kind"] == "enrolments.enrolment")["rows"]
    assert [row["id"] for row in rows] == [enrolment.pk]
    assert {"reason", "exception_reason", "closed_reason"}.isdisjoint(rows[0])
    summaries = {row["summary"] for row in data["audit_events"]["rows"]}
    assert f"Wrote to {contact.email}" in summaries
    assert f"Spoke about {contact.email}" not in summaries
    assert "UNION-ONLY" not in json.dumps(data) and "UNION-ONLY" not in page
