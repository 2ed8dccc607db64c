"""Retention: what Accord stops keeping once it has been kept long enough, applied daily by
`manage.py apply_retention`.

Three rules, each with its period in the settings (0 turns a rule off):
- a closed enrolment's internal free text (why it was proposed, the exception, the reason it
  closed, notes, initial meetings' attendees and notes, the partner unions' reasons), and the
  notes of its stream's internal audit events that copy it, are blanked
  `ACCORD_RETENTION_CLOSED_NOTES_YEARS` after it closed; the steps and positions themselves stay;
- a deactivated person is erased `ACCORD_RETENTION_DEACTIVATED_MONTHS` after deactivation;
- a withdrawn member's uploaded files (progress evidence, concern evidence) are deleted
  `ACCORD_RETENTION_WITHDRAWN_FILES_MONTHS` after the withdrawal; their rows stay, marked removed.

Each removal is its own transaction and audit event, and a removed record is never due again,
so a second run does nothing. Reports name records by id only, never a person's data.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accord.accounts import erasure
from accord.accounts.models import User
from accord.actions.models import EvidenceFile
from accord.core import audit
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment, InitialMeeting, Note, PartnerPosition
from accord.enrolments.process import CLOSED_STATES

from .models import ConcernEvidence, Membership, MembershipStatus

logger = logging.getLogger(__name__)

# The internal free text of a closed enrolment: its own fields and those of its records.
ENROLMENT_TEXT = Enrolment.UNION_ONLY_FIELDS
RECORD_TEXT: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Note, ("text",)),
    (InitialMeeting, ("attendees", "notes")),
    (PartnerPosition, ("reasons",)),
)
# An erased person's e-mail address is a pseudonym at this reserved domain (RFC 2606), which
# no real address has: such a person is erased already.
ERASED_EMAIL_DOMAIN = "@invalid"
RULES = ("closed-notes", "deactivated-people", "withdrawn-files")


@dataclass(frozen=True)
class Removal:
    """One thing a run removes (or, dry, would remove): which rule, which record, what of it."""

    rule: str
    record: str  # by kind and id, e.g. "enrolment 12"
    what: str


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day where it is
    shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- who and what is due ------------------------------------------------------------------


def _has_text(fields: Iterable[str]) -> Q:
    condition = Q()
    for name in fields:
        condition |= ~Q(**{name: ""})
    return condition


def noted_internal_events(context: str) -> QuerySet[AuditEvent]:
    """The internal events of a stream that still carry a note: the trail's copies of the
    internal free text given with each step."""
    return AuditEvent.objects.filter(stream=context, internal=True).exclude(note="")


def closed_enrolments_due(today: datetime.date, years: int) -> QuerySet[Enrolment]:
    """Enrolments closed at least `years` ago that still hold internal free text, in their
    records or in the notes of their stream's internal events."""
    cutoff = _start_of(months_before(today, years * 12))
    holds_text = _has_text(ENROLMENT_TEXT)
    for model, fields in RECORD_TEXT:
        holds_text |= Exists(model.objects.filter(_has_text(fields), enrolment=OuterRef("pk")))
    stream = Concat(Value("enrolment:"), Cast(OuterRef("pk"), models.CharField()))
    holds_text |= Exists(AuditEvent.objects.filter(stream=stream, internal=True).exclude(note=""))
    return (
        Enrolment.objects.filter(state__in=CLOSED_STATES, state_changed_at__lt=cutoff)
        .filter(holds_text)
        .order_by("pk")
    )


def deactivations(people: Iterable[User]) -> dict[int, datetime.datetime]:
    """When each of `people` was last deactivated, from the audit trail: their own pages and
    the admin both record `is_active` going from true to false."""
    ids = {str(person.pk): person.pk for person in people}
    found: dict[int, datetime.datetime] = {}
    events = AuditEvent.objects.filter(
        target_type=User._meta.label_lower, target_id__in=list(ids), changes__has_key="is_active"
    ).order_by("created_at", "id")
    for event in events.only("target_id", "created_at", "changes"):
        if event.changes.get("is_active") == [True, False]:
            found[ids[event.target_id]] = event.created_at
    return found


def people_due(today: datetime.date, months: int) -> list[User]:
    """Deactivated people, not erased yet, deactivated at least `months` ago. Someone whose
    deactivation the trail does not record is never due: nobody knows since when."""
    cutoff = _start_of(months_before(today, months))
    candidates = list(
        User.objects.filter(is_active=False)
        .exclude(email__endswith=ERASED_EMAIL_DOMAIN)
        .order_by("pk")
    )
    since = deactivations(candidates)
    return [person for person in candidates if person.pk in since and since[person.pk] < cutoff]


def withdrawn_memberships(today: datetime.date, months: int) -> QuerySet[Membership]:
    cutoff = months_before(today, months)
    return Membership.objects.filter(status=MembershipStatus.WITHDRAWN, status_since__lte=cutoff)


def evidence_due(today: datetime.date, months: int) -> QuerySet[EvidenceFile]:
    """Progress evidence of a member withdrawn at least `months` ago (on its cycles'
    activities or on the remedies of a concern about it), not removed yet."""
    withdrawn = withdrawn_memberships(today, months)
    return (
        EvidenceFile.objects.filter(removed_on__isnull=True)
        .filter(
            Q(update__action__cycle__enrolment__in=withdrawn.values("enrolment"))
            | Q(update__action__concern__membership__in=withdrawn)
        )
        .select_related("update__action__cycle__enrolment")
        .order_by("pk")
    )


def concern_evidence_due(today: datetime.date, months: int) -> QuerySet[ConcernEvidence]:
    """Files given with concerns about a member withdrawn at least `months` ago."""
    return (
        ConcernEvidence.objects.filter(
            removed_on__isnull=True,
            concern__membership__in=withdrawn_memberships(today, months),
        )
        .select_related("concern")
        .order_by("pk")
    )


# --- removing -----------------------------------------------------------------------------


def _text_changes(record: models.Model, label: str, fields: Iterable[str]) -> dict[str, list]:
    # Before and after without the text itself, which is what is being let go.
    return {
        f"{label}.{name}": [f"{len(getattr(record, name))} characters", ""]
        for name in fields
        if getattr(record, name)
    }


def blank_enrolment_text(enrolment: Enrolment) -> Removal:
    """Blank a closed enrolment's internal free text, and the notes of its stream's internal
    events (through `audit.redact`), in one transaction, audited."""
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        changes = _text_changes(locked, "enrolment", ENROLMENT_TEXT)
        if changes:
            for name in ENROLMENT_TEXT:
                setattr(locked, name, "")
            locked.save(update_fields=[*ENROLMENT_TEXT, "updated_at"])
        for model, fields in RECORD_TEXT:
            label = model._meta.model_name
            for record in model.objects.filter(_has_text(fields), enrolment=locked):
                changes |= _text_changes(record, f"{label}:{record.pk}", fields)
                model.objects.filter(pk=record.pk).update(**{name: "" for name in fields})
        if changes:
            audit.log_action(
                locked,
                "retention.internal_text_removed",
                actor=None,
                summary="Internal notes removed under the retention rules",
                context=locked.audit_context,
                changes=changes,
                internal=True,
            )
        noted = noted_internal_events(locked.audit_context).values_list("id", flat=True)
        blanked = audit.redact(
            {},
            actor=None,
            target=locked,
            context=locked.audit_context,
            summary="Notes of internal audit events removed under the retention rules",
            notes=dict.fromkeys(noted, ""),
        )
    return Removal(
        "closed-notes",
        f"enrolment {enrolment.pk}",
        f"{len(changes)} text field(s) and {len(blanked)} audit note(s) blanked",
    )


def erase(person: User, *, months: int) -> Removal:
    """Erase a deactivated person through the accounts service, which audits it."""
    record = f"person {person.pk}"
    try:
        erasure.erase_person(
            person=person,
            actor=None,
            reason=(
                f"Deactivated more than {months} months ago: erased under the retention rules."
            ),
        )
    except DomainError:
        # The reason may name the person: the person's page says it to whoever erases them.
        logger.warning("Retention: erasure of %s refused", record)
        return Removal("deactivated-people", record, "not erased: the erasure was refused")
    return Removal("deactivated-people", record, "erased")


def remove_file(evidence: EvidenceFile | ConcernEvidence, *, today: datetime.date) -> Removal:
    """Delete an uploaded file, keeping its row marked as removed; audited. The file goes once
    the transaction commits, so a rollback never leaves a row pointing at nothing."""
    model = type(evidence)
    label = "evidence file" if model is EvidenceFile else "concern evidence file"
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=evidence.pk)
        if locked.removed_on is not None:
            return Removal("withdrawn-files", f"{label} {evidence.pk}", "removed already")
        name = locked.file.name
        storage = locked.file.storage
        locked.file = ""
        locked.removed_on = today
        locked.save(update_fields=["file", "removed_on"])
        context = (
            evidence.update.action.audit_context
            if isinstance(evidence, EvidenceFile)
            else evidence.concern.audit_context
        )
        audit.log_action(
            locked,
            "retention.file_removed",
            actor=None,
            summary="An uploaded file was deleted under the retention rules",
            context=context,
            changes={"file": ["stored", "removed"], "removed_on": [None, today.isoformat()]},
            internal=True,
        )
        if name:
            transaction.on_commit(lambda: _delete_stored(storage, name, label, evidence.pk))
    return Removal("withdrawn-files", f"{label} {evidence.pk}", "file deleted, row kept")


def _delete_stored(storage: object, name: str, label: str, pk: int) -> None:
    try:
        storage.delete(name)  # type: ignore[attr-defined]
    except OSError:
        logger.exception("Retention: the stored file of %s %s could not be deleted", label, pk)


# --- a run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periods:
    closed_notes_years: int
    deactivated_months: int
    withdrawn_files_months: int

    @classmethod
    def from_settings(cls) -> Periods:
        return cls(
            closed_notes_years=settings.ACCORD_RETENTION_CLOSED_NOTES_YEARS,
            deactivated_months=settings.ACCORD_RETENTION_DEACTIVATED_MONTHS,
            withdrawn_files_months=settings.ACCORD_RETENTION_WITHDRAWN_FILES_MONTHS,
        )


def apply_retention(
    *, today: datetime.date | None = None, dry_run: bool = False, periods: Periods | None = None
) -> list[Removal]:
    """Apply every rule that is on; with `dry_run`, only say what would go."""
    today = today or timezone.localdate()
    periods = periods or Periods.from_settings()
    done: list[Removal] = []
    if periods.closed_notes_years:
        for enrolment in closed_enrolments_due(today, periods.closed_notes_years):
            if dry_run:
                notes = noted_internal_events(enrolment.audit_context).count()
                done.append(
                    Removal(
                        "closed-notes",
                        f"enrolment {enrolment.pk}",
                        f"would blank its internal text and {notes} audit note(s)",
                    )
                )
            else:
                done.append(blank_enrolment_text(enrolment))
    if periods.deactivated_months:
        for person in people_due(today, periods.deactivated_months):
            if dry_run:
                done.append(Removal("deactivated-people", f"person {person.pk}", "would erase"))
            else:
                done.append(erase(person, months=periods.deactivated_months))
    if periods.withdrawn_files_months:
        files: list[EvidenceFile | ConcernEvidence] = [
            *evidence_due(today, periods.withdrawn_files_months),
            *concern_evidence_due(today, periods.withdrawn_files_months),
        ]
        for evidence in files:
            if dry_run:
                label = (
                    "evidence file"
                    if isinstance(evidence, EvidenceFile)
                    else "concern evidence file"
                )
                done.append(Removal("withdrawn-files", f"{label} {evidence.pk}", "would delete"))
            else:
                done.append(remove_file(evidence, today=today))
    for removal in done:
        logger.info(
            "Retention%s: %s: %s: %s",
            " (dry run)" if dry_run else "",
            removal.rule,
            removal.record,
            removal.what,
        )
    return done
