"""Erasing a person leaves no trace of their name or e-mail address in any table, keeps the
audit trail verifiable, blanks the notes they wrote (in the tables and in the audit trail's
copies), and is done only by an officer in scope. A namesake's records, and other people's
words that happen to be an erased person's name, are left alone."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accord.accounts import erasure, rules, services
from accord.accounts.models import EmailPreference, HeldEmail, Role, User
from accord.core.audit import verify_chain
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage
from accord.enrolments.models import Note
from accord.enrolments.process import State
from tests.world import PASSWORD, World

from .personal_data import EMAIL, NAME, NOTE_ABOUT_THEM, NOTE_BY_THEM, seed_subject

# The forms the name and address take in a dump: as written, in any case, and JSON-escaped.
TRACES = [NAME, EMAIL, "Zoë", "Pemberton-Quayle", "zoe.pemberton", json.dumps(NAME)[1:-1]]


def _everything_in_the_database() -> str:
    """Every table, through dumpdata (decoded JSON) and raw SQL (what dumpdata skips)."""
    out = StringIO()
    call_command("dumpdata", stdout=out)
    parts = [out.getvalue()]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            parts.extend("\t".join(map(str, row)) for row in cursor.fetchall())
    return "\n".join(parts).lower()


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_before_erasure_the_database_holds_the_name_and_address(world: World) -> None:
    seed_subject(world)
    dump = _everything_in_the_database()
    # Only SQLite keeps JSON with non-ASCII characters escaped.
    for trace in TRACES if connection.vendor == "sqlite" else TRACES[:-1]:
        assert trace.lower() in dump, trace


def test_erasure_leaves_no_trace_of_the_name_or_address_and_the_trail_stays_whole(
    world: World,
) -> None:
    subject = seed_subject(world)
    person = subject.person
    officer = _signed_in(world.users["officer"])
    page = reverse("person-erase", args=[person.pk])
    assert officer.get(page).status_code == 200
    refused = officer.post(page, {"reason": "She asked to be erased"})
    assert refused.status_code == 400 and "cannot be undone" in refused.content.decode()
    done = officer.post(page, {"reason": f"{NAME} asked to be erased", "confirm": "on"})
    assert done.status_code == 302

    dump = _everything_in_the_database()
    # The secretary's note names her, but a name in someone else's words cannot be told from a
    # namesake's: it is kept as written (below), and is the one place her name remains.
    for kept in (NOTE_ABOUT_THEM, json.dumps(NOTE_ABOUT_THEM)[1:-1]):
        dump = dump.replace(kept.lower(), "")
    for trace in TRACES:
        assert trace.lower() not in dump, trace
    # What she wrote is gone from the audit trail too.
    assert NOTE_BY_THEM.lower() not in dump
    person.refresh_from_db()
    assert person.full_name == f"Erased person {person.pk}"
    assert person.email == f"erased-{person.pk}@invalid"
    assert not person.is_active and not person.has_usable_password()
    assert not Client().login(username=EMAIL, password=PASSWORD)
    assert not EmailPreference.objects.filter(user=person).exists()
    assert not HeldEmail.objects.filter(user=person).exists()
    # Their own internal note is blanked; the secretary's note is kept as she wrote it.
    assert NOTE_BY_THEM not in Note.objects.values_list("text", flat=True)
    assert Note.objects.get(author=world.users["secretary"]).text == NOTE_ABOUT_THEM
    # The e-mails sent to her are kept as sent, to the pseudonym.
    assert OutboxMessage.objects.filter(to=f"erased-{person.pk}@invalid").exists()

    assert list(verify_chain()) == []
    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    erased = AuditEvent.objects.get(action="person.erase")
    assert erased.actor == world.users["officer"]
    assert erased.note == f"Erased person {person.pk} asked to be erased"
    redaction = AuditEvent.objects.get(action="audit.redact")
    redacted = set(
        AuditEvent.objects.filter(redacted_at__isnull=False).values_list("id", flat=True)
    )
    assert redacted and {int(i) for i in redaction.changes["redacted_events"]} == redacted


def test_erasing_twice_changes_nothing_more(world: World) -> None:
    subject = seed_subject(world)
    officer = world.users["officer"]
    erasure.erase_person(person=subject.person, actor=officer, reason="Asked")
    events = AuditEvent.objects.count()
    again = erasure.erase_person(person=subject.person, actor=officer, reason="Asked again")
    assert again.rows == {} and again.redacted_events == 0
    assert AuditEvent.objects.count() == events
    with pytest.raises(DomainError, match="erased"):
        services.reactivate(subject.person, actor=officer)
    assert list(verify_chain()) == []


def test_the_retention_rules_erase_only_a_deactivated_person(world: World) -> None:
    subject = seed_subject(world)
    with pytest.raises(DomainError):
        erasure.erase_person(person=subject.person, actor=None, reason="Retention")
    User.objects.filter(pk=subject.person.pk).update(is_active=False)
    erasure.erase_person(person=subject.person, actor=None, reason="Retention period ended")
    event = AuditEvent.objects.get(action="person.erase")
    assert event.actor is None and event.summary.startswith("The retention rules")
    assert list(verify_chain()) == []


# Who may erase the workplace representative Zoë, and download her data, by persona.
# Written from the brief: a national officer whose union's scope covers her (NASUWT), a
# superuser; not an officer of another union, a secretary, an auditor, her employer's contact or
# a colleague; she downloads her own data but cannot erase herself.
PERMISSIONS = {
    # persona: (erase, export)
    "officer": (True, True),
    "superuser": (True, True),
    "zoe": (False, True),
    "other_officer": (False, False),
    "secretary": (False, False),
    "nem": (False, False),
    "gmb": (False, False),
    "auditor": (False, False),
    "employer": (False, False),
    "rep": (False, False),
    "outsider": (False, False),
}


def test_who_may_erase_a_person_and_download_their_data(world: World) -> None:
    subject = seed_subject(world)
    world.users["superuser"] = User.objects.create_superuser(
        "root@example.org", email="root@example.org", password=PASSWORD, full_name="Root"
    )
    found = {}
    for persona in PERMISSIONS:
        actor = world.users[persona]
        client = _signed_in(actor)
        erase_page = client.get(reverse("person-erase", args=[subject.person.pk]))
        data_page = client.get(reverse("person-data", args=[subject.person.pk]))
        found[persona] = (
            rules.can_erase_person(actor, subject.person),
            rules.can_export_person_data(actor, subject.person),
        )
        assert (erase_page.status_code == 200) == found[persona][0], persona
        if persona != "zoe":
            assert (data_page.status_code == 200) == found[persona][1], persona
    assert found == PERMISSIONS
    refused = world.users["other_officer"]
    with pytest.raises(DomainError):
        erasure.erase_person(person=subject.person, actor=refused, reason="No")
    assert User.objects.get(pk=subject.person.pk).full_name == NAME


def _content(events: object) -> dict[int, tuple[str, object, str]]:
    return {e.id: (e.summary, e.changes, e.note) for e in events}  # type: ignore[attr-defined]


def _invite_in_scope(world: World, email: str, full_name: str) -> User:
    spec = services.RoleSpec(
        Role.WORKPLACE_REP, {"union": world.unions["NASUWT"], "employer": world.employer}
    )
    return services.invite(
        email=email, full_name=full_name, roles=[spec], actor=world.users["officer"]
    ).user


def test_a_namesakes_records_are_untouched_when_the_other_is_erased(world: World) -> None:
    subject = seed_subject(world)
    namesake = _invite_in_scope(world, "zoe.pq@example.net", NAME)
    about_her = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(namesake.pk))
    before = _content(about_her)
    assert any(NAME in str(content) for content in before.values())
    mail = OutboxMessage.objects.filter(to="zoe.pq@example.net")
    mail_before = list(mail.values_list("subject", "body"))
    assert mail_before and any(NAME in body for _, body in mail_before)

    erasure.erase_person(person=subject.person, actor=world.users["officer"], reason="Asked")

    namesake.refresh_from_db()
    assert (namesake.full_name, namesake.email) == (NAME, "zoe.pq@example.net")
    assert _content(about_her) == before
    assert not about_her.filter(redacted_at__isnull=False).exists()
    assert list(mail.values_list("subject", "body")) == mail_before
    assert list(verify_chain()) == []


def test_erasing_a_person_named_like_words_in_someones_note_leaves_the_note(
    world: World,
) -> None:
    enrolment = world.journey().to(world.employer, State.PROPOSED, "secretary")
    words = "The head said there is no objection from the governors."
    world.journey().take(enrolment, "add_note", "secretary", note=words)
    event = AuditEvent.objects.get(note=words)
    throwaway = _invite_in_scope(world, "throwaway@example.net", "no objection")

    erasure.erase_person(person=throwaway, actor=world.users["officer"], reason="Asked")

    assert Note.objects.get(author=world.users["secretary"]).text == words
    event.refresh_from_db()
    assert (event.note, event.redacted_at) == (words, None)
    assert list(verify_chain()) == []


def test_the_audit_copy_of_the_note_the_person_wrote_is_gone_from_the_trail_and_the_page(
    world: World,
) -> None:
    subject = seed_subject(world)
    officer = _signed_in(world.users["officer"])
    page = reverse("enrolment", args=[subject.enrolment.pk])
    assert NOTE_BY_THEM in officer.get(page).content.decode()
    assert AuditEvent.objects.filter(note__contains=NOTE_BY_THEM).exists()

    erasure.erase_person(person=subject.person, actor=world.users["officer"], reason="Asked")

    assert not AuditEvent.objects.filter(note__contains=NOTE_BY_THEM).exists()
    # Why she proposed the employer is kept on another legal basis (Enrolment.reason), and so
    # is the audit copy of it.
    proposed = AuditEvent.objects.get(action="enrolment.propose", actor=subject.person)
    subject.enrolment.refresh_from_db()
    assert subject.enrolment.reason and proposed.note == subject.enrolment.reason
    shown = officer.get(page).content.decode()
    assert NOTE_BY_THEM not in shown
    # The secretary's note is someone else's words, and stays on the page.
    assert NOTE_ABOUT_THEM in shown
    assert list(verify_chain()) == []
    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
