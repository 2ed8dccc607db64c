"""The daily retention run: one record of each kind is seeded, some past their period and some
not; a dry run changes nothing, a run removes exactly what is due and audits each removal, and a
second run does nothing.

Periods as the issue gives them (closed enrolments' notes after 6 years, deactivated people and
withdrawn members' files after 24 months); the expected answers are written out by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accord.accounts import services as account_services
from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import EvidenceFile, ProgressUpdate
from accord.core import audit
from accord.core.models import AuditEvent
from accord.enrolments import services as enrolment_services
from accord.enrolments.models import Enrolment, InitialMeeting, Note, PartnerPosition
from accord.enrolments.process import State, step
from accord.membership import retention
from accord.membership import services as membership_services
from accord.membership.models import Concern, ConcernEvidence, Membership
from tests.world import PASSWORD, World

PERIODS = {
    "ACCORD_RETENTION_CLOSED_NOTES_YEARS": 6,
    "ACCORD_RETENTION_DEACTIVATED_MONTHS": 24,
    "ACCORD_RETENTION_WITHDRAWN_FILES_MONTHS": 24,
}
START = datetime.datetime(2020, 3, 2, 10, 0, tzinfo=datetime.UTC)
# The run's day: 6 years and a few days after START.
RUN_DAY = datetime.date(2026, 3, 10)

OLD_SECRET = "OLDTEXT-why-it-was-declined"
OLD_NOTE = "OLDNOTE-internal-note"
OLD_MEETING = "OLDMEETING-head-said-no"
OLD_ATTENDEES = "OLDATTENDEES-Jo Bloggs"
OLD_REASONS = "OLDREASONS-unison-disagreed"
RECENT_SECRET = "RECENTTEXT-declined-lately"
OPEN_REASON = "OPENREASON-still-going"


def _take(world: World, enrolment: Enrolment, name: str, who: str, **data: object) -> Enrolment:
    return enrolment_services.take_step(enrolment, step(name), actor=world.users[who], data=data)


class Seeded:
    old_closed: Enrolment  # closed more than 6 years before RUN_DAY: its notes go
    recent_closed: Enrolment  # closed less than 6 years before: kept
    open_one: Enrolment  # open, however old: kept
    member: Membership  # withdrawn more than 24 months before RUN_DAY: files go
    kept_member: Membership  # withdrawn less than 24 months before: files kept
    evidence: EvidenceFile
    kept_evidence: EvidenceFile
    concern_evidence: ConcernEvidence


def _evidence(world: World, membership: Membership, name: str) -> EvidenceFile:
    action = membership.enrolment.cycles.get().actions.order_by("number").first()
    update = ProgressUpdate.objects.create(action=action, author=world.users["employer"], text="x")
    evidence = EvidenceFile(update=update, original_name=name, content_type="text/plain", size=4)
    evidence.file.save(name, ContentFile(b"data"), save=True)
    return evidence


@pytest.fixture
def seeded(world: World) -> Seeded:
    s = Seeded()
    # The employer contact also speaks for the trust, so that both can join.
    RoleAssignment.objects.create(
        user=world.users["employer"], role=Role.EMPLOYER_CONTACT, employer=world.trust
    )
    with time_machine.travel(START, tick=False):
        s.old_closed = world.enrolment(State.PROPOSED)
        Note.objects.create(enrolment=s.old_closed, author=world.users["rep"], text=OLD_NOTE)
        InitialMeeting.objects.create(
            enrolment=s.old_closed,
            held_on=START.date(),
            attendees=OLD_ATTENDEES,
            notes=OLD_MEETING,
            recorded_by=world.users["rep"],
        )
        PartnerPosition.objects.create(
            enrolment=s.old_closed,
            union=world.unions["UNISON"],
            position="disagree",
            reasons=OLD_REASONS,
            recorded_by=world.users["unison"],
        )
        s.old_closed = _take(world, s.old_closed, "decline", "secretary", reason=OLD_SECRET)
        s.member = Membership.objects.get(
            enrolment=world.journey().to(world.trust, State.LISTED, "secretary")
        )
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        membership_services.change_status(
            s.member,
            "withdraw",
            actor=world.users["officer"],
            reason="Left the scheme",
            logo_stop_requested_on=timezone.localdate(),
        )
    with time_machine.travel(datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC), tick=False):
        s.recent_closed = world.enrolment(
            State.PROPOSED, world.other_employer, secretary="other_secretary"
        )
        s.recent_closed = _take(
            world, s.recent_closed, "decline", "other_secretary", reason=RECENT_SECRET
        )
        s.kept_member = Membership.objects.get(
            enrolment=world.journey().to(world.employer, State.LISTED, "secretary")
        )
    with time_machine.travel(datetime.datetime(2025, 1, 10, tzinfo=datetime.UTC), tick=False):
        s.open_one = enrolment_services.propose(
            scheme=world.scheme,
            employer=world.academy,
            actor=world.users["secretary"],
            data={"initiated_by": "union", "reason": OPEN_REASON, "exception_reason": "Apart"},
        )
        membership_services.change_status(
            s.kept_member,
            "withdraw",
            actor=world.users["officer"],
            reason="Left the scheme",
            logo_stop_requested_on=timezone.localdate(),
        )
    s.member.refresh_from_db()
    s.kept_member.refresh_from_db()
    s.evidence = _evidence(world, s.member, "minutes.txt")
    s.kept_evidence = _evidence(world, s.kept_member, "kept.txt")
    concern = Concern.objects.create(
        membership=s.member,
        subject="A concern",
        raised_by=world.users["outsider"],
        raised_at=timezone.now(),
    )
    s.concern_evidence = ConcernEvidence(
        concern=concern, side="raiser", original_name="photo.txt", content_type="text/plain", size=4
    )
    s.concern_evidence.file.save("photo.txt", ContentFile(b"data"), save=True)
    return s


def _texts(enrolment: Enrolment) -> list[str]:
    enrolment.refresh_from_db()
    texts = [enrolment.reason, enrolment.exception_reason, enrolment.closed_reason]
    texts += [n.text for n in Note.objects.filter(enrolment=enrolment)]
    for meeting in InitialMeeting.objects.filter(enrolment=enrolment):
        texts += [meeting.attendees, meeting.notes]
    texts += [p.reasons for p in PartnerPosition.objects.filter(enrolment=enrolment)]
    return [t for t in texts if t]


def _state(seeded: Seeded) -> dict[str, object]:
    for record in (seeded.evidence, seeded.kept_evidence, seeded.concern_evidence):
        record.refresh_from_db()
    return {
        "old_closed": _texts(seeded.old_closed),
        "recent_closed": _texts(seeded.recent_closed),
        "open": _texts(seeded.open_one),
        "evidence": (bool(seeded.evidence.file), seeded.evidence.removed_on),
        "kept_evidence": (bool(seeded.kept_evidence.file), seeded.kept_evidence.removed_on),
        "concern_evidence": (
            bool(seeded.concern_evidence.file),
            seeded.concern_evidence.removed_on,
        ),
        "events": AuditEvent.objects.count(),
        "notes": sorted(
            AuditEvent.objects.filter(stream=seeded.old_closed.audit_context)
            .exclude(note="")
            .values_list("note", flat=True)
        ),
    }


def _run(*args: str) -> str:
    out = StringIO()
    with override_settings(**PERIODS):
        call_command("apply_retention", f"--date={RUN_DAY.isoformat()}", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_would_go_and_changes_nothing(world: World, seeded: Seeded) -> None:
    gone = world.users["other_rep"]
    with time_machine.travel(START, tick=False):
        account_services.deactivate(gone, actor=world.users["officer"], reason="Left")
    before = _state(seeded)
    stored = seeded.evidence.file.name
    output = _run("--dry-run")
    assert _state(seeded) == before
    assert f"deactivated-people: person {gone.pk}: would erase" in output
    gone.refresh_from_db()
    assert gone.email == "other_rep@example.org"
    assert seeded.evidence.file.storage.exists(stored)
    # Its two internal steps (proposed, declined) copied their reasons into the audit trail.
    assert (
        f"closed-notes: enrolment {seeded.old_closed.pk}: would blank its internal text"
        " and 2 audit note(s)"
    ) in output
    assert f"withdrawn-files: evidence file {seeded.evidence.pk}: would delete" in output
    assert (
        f"withdrawn-files: concern evidence file {seeded.concern_evidence.pk}: would delete"
        in output
    )
    assert f"enrolment {seeded.recent_closed.pk}:" not in output
    assert f"enrolment {seeded.open_one.pk}:" not in output
    assert f"withdrawn-files: evidence file {seeded.kept_evidence.pk}:" not in output
    assert "nothing changed" in output


def test_a_run_removes_what_is_due_keeps_the_rest_and_a_second_run_does_nothing(
    seeded: Seeded, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    stored = seeded.evidence.file.name
    kept_stored = seeded.kept_evidence.file.name
    before = _state(seeded)
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    after = _state(seeded)
    # What was due is gone; the rest is as it was.
    assert after["old_closed"] == []
    assert RECENT_SECRET in after["recent_closed"]
    assert after["recent_closed"] == before["recent_closed"]
    assert after["open"] == [OPEN_REASON, "Apart"]
    assert after["evidence"] == (False, RUN_DAY)
    assert after["concern_evidence"] == (False, RUN_DAY)
    assert after["kept_evidence"] == (True, None)
    assert not seeded.evidence.file.storage.exists(stored)
    assert seeded.kept_evidence.file.storage.exists(kept_stored)
    # The rows and the records they belong to stay.
    assert Note.objects.filter(enrolment=seeded.old_closed).count() == 1
    assert PartnerPosition.objects.get(enrolment=seeded.old_closed).position == "disagree"
    assert Enrolment.objects.get(pk=seeded.old_closed.pk).state == State.DECLINED
    # Each removal is audited, without the text it removed, and the trail is whole.
    events = AuditEvent.objects.filter(action__startswith="retention.").order_by("id")
    assert [(e.action, e.actor_id) for e in events] == [
        ("retention.internal_text_removed", None),
        ("retention.file_removed", None),
        ("retention.file_removed", None),
    ]
    # And the notes of its internal events are blanked through one sealed redaction.
    assert after["events"] == before["events"] + 4
    assert OLD_SECRET in before["notes"] and after["notes"] == []
    redaction = AuditEvent.objects.get(action=audit.REDACTION_ACTION)
    assert redaction.context == seeded.old_closed.audit_context and redaction.actor is None
    assert len(redaction.changes["redacted_events"]) == 2
    for event in events:
        for secret in (OLD_SECRET, OLD_NOTE, OLD_MEETING, OLD_ATTENDEES, OLD_REASONS):
            assert secret not in str(event.changes) + event.note + event.summary
    assert list(audit.verify_chain()) == []
    # Run again: nothing is due, nothing changes.
    second = _run()
    assert _state(seeded) == after
    assert "Removed: closed-notes 0, deactivated-people 0, withdrawn-files 0." in second


def test_the_enrolment_page_no_longer_shows_the_old_internal_notes(
    world: World, seeded: Seeded
) -> None:
    client = Client()
    assert client.login(username="officer@example.org", password=PASSWORD)
    page = reverse("enrolment", args=[seeded.old_closed.pk])
    recent = reverse("enrolment", args=[seeded.recent_closed.pk])
    assert OLD_SECRET in client.get(page).content.decode()
    assert RECENT_SECRET in client.get(recent).content.decode()
    assert "2 audit note(s) blanked" in _run()
    assert OLD_SECRET not in client.get(page).content.decode()
    assert RECENT_SECRET in client.get(recent).content.decode()
    assert list(audit.verify_chain()) == []
    # A second run changes nothing.
    events = AuditEvent.objects.count()
    assert "Removed: closed-notes 0," in _run()
    assert AuditEvent.objects.count() == events


def test_an_enrolment_whose_text_is_gone_but_whose_audit_notes_stay_is_still_due(
    world: World, seeded: Seeded
) -> None:
    old = seeded.old_closed
    Enrolment.objects.filter(pk=old.pk).update(reason="", exception_reason="", closed_reason="")
    Note.objects.filter(enrolment=old).update(text="")
    InitialMeeting.objects.filter(enrolment=old).update(attendees="", notes="")
    PartnerPosition.objects.filter(enrolment=old).update(reasons="")
    assert old in retention.closed_enrolments_due(RUN_DAY, 6)
    assert "0 text field(s) and 2 audit note(s) blanked" in _run()
    assert old not in retention.closed_enrolments_due(RUN_DAY, 6)
    assert not AuditEvent.objects.filter(stream=old.audit_context).exclude(note="").exists()
    assert list(audit.verify_chain()) == []


def test_the_pages_say_a_file_was_deleted_and_do_not_serve_it(world: World, seeded: Seeded) -> None:
    _run()
    client = Client()
    assert client.login(username="officer@example.org", password=PASSWORD)
    action = seeded.evidence.update.action
    page = client.get(reverse("action", args=[action.pk])).content.decode()
    assert "deleted under the retention rules on 10 March 2026" in page
    assert client.get(reverse("evidence", args=[seeded.evidence.pk])).status_code == 404


@pytest.mark.parametrize(
    ("deactivated", "due"),
    [
        # More than 24 months before RUN_DAY: due for erasure.
        (datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC), True),
        # Less than 24 months before: kept.
        (datetime.datetime(2024, 3, 20, tzinfo=datetime.UTC), False),
    ],
)
def test_a_deactivated_person_is_due_for_erasure_after_the_period(
    world: World, deactivated: datetime.datetime, due: bool
) -> None:
    person = world.users["other_rep"]
    with time_machine.travel(deactivated, tick=False):
        account_services.deactivate(person, actor=world.users["officer"], reason="Left")
    assert (person in retention.people_due(RUN_DAY, 24)) is due
    # Reactivated, nobody is due.
    account_services.reactivate(person, actor=world.users["officer"])
    assert retention.people_due(RUN_DAY, 24) == []


def test_an_erased_person_and_one_whose_deactivation_is_unrecorded_are_never_due(
    world: World,
) -> None:
    erased = world.users["other_rep"]
    with time_machine.travel(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), tick=False):
        account_services.deactivate(erased, actor=world.users["officer"], reason="Left")
    type(erased).objects.filter(pk=erased.pk).update(email=f"erased-{erased.pk}@invalid")
    unrecorded = world.users["other_nem"]
    type(unrecorded).objects.filter(pk=unrecorded.pk).update(is_active=False)
    assert retention.people_due(RUN_DAY, 24) == []


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert retention.months_before(datetime.date(2026, 3, 10), 24) == datetime.date(2024, 3, 10)
    assert retention.months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert retention.months_before(datetime.date(2026, 1, 15), 1) == datetime.date(2025, 12, 15)
    assert retention.months_before(datetime.date(2026, 3, 10), 72) == datetime.date(2020, 3, 10)


def test_a_person_deactivated_long_enough_ago_is_erased_once(world: World) -> None:
    gone = world.users["other_rep"]
    with time_machine.travel(START, tick=False):
        account_services.deactivate(gone, actor=world.users["officer"], reason="Left")
    output = _run()
    assert f"deactivated-people: person {gone.pk}: erased" in output
    gone.refresh_from_db()
    assert (gone.full_name, gone.email) == (f"Erased person {gone.pk}", f"erased-{gone.pk}@invalid")
    assert list(audit.verify_chain()) == []
    # Erased people are never due again.
    assert "Removed: closed-notes 0, deactivated-people 0, withdrawn-files 0." in _run()
