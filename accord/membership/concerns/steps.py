"""A concern's states and steps, declared once, and what every step shares: locking,
logging on the concern and in the audit trail, evidence, and telling people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import Role, User
from accord.actions import evidence as evidence_rules
from accord.core import audit, uploads
from accord.enrolments import rules as enrolment_rules

from ..models import (
    Concern,
    ConcernEvent,
    ConcernEvidence,
    ConcernState,
)
from ..services import MembershipError

S = ConcernState


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset[ConcernState]
    reaches: ConcernState


STEPS: dict[str, Step] = {
    "confirm": Step("Confirm the concern", frozenset({S.UNCONFIRMED}), S.OPEN),
    "expire": Step("Close it unconfirmed", frozenset({S.UNCONFIRMED}), S.EXPIRED),
    "put_to_employer": Step("Put it to the employer", frozenset({S.OPEN}), S.PUT_TO_EMPLOYER),
    "respond": Step("Respond to the concern", frozenset({S.PUT_TO_EMPLOYER}), S.RESPONDED),
    "decide": Step(
        "Decide the concern", frozenset({S.OPEN, S.PUT_TO_EMPLOYER, S.RESPONDED}), S.DECIDED
    ),
    "appeal": Step("Appeal the decision", frozenset({S.DECIDED}), S.APPEALED),
    "decide_appeal": Step("Decide the appeal", frozenset({S.APPEALED}), S.APPEAL_DECIDED),
}

# How many remedies the decision form offers.
REMEDY_ROWS = 3


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))  # settings.py reads each from the environment


def response_days() -> int:
    return _days("ACCORD_CONCERN_RESPONSE_DAYS", 28)


def appeal_days() -> int:
    return _days("ACCORD_CONCERN_APPEAL_DAYS", 28)


def confirm_days() -> int:
    return _days("ACCORD_CONCERN_CONFIRM_DAYS", 7)


# --- writing -------------------------------------------------------------------------------


def _log(
    concern: Concern,
    kind: str,
    *,
    actor: User | None,
    text: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """Log a step on the concern and in the audit trail (never naming who raised it)."""
    ConcernEvent.objects.create(
        concern=concern, at=timezone.now(), actor=actor, kind=kind, text=text
    )
    audit.log_action(
        concern,
        f"concern.{kind}",
        actor=actor,
        summary=text,
        context=concern.audit_context,
        changes=changes or {},
        note=note,
        internal=True,
    )


def _locked(concern: Concern, step: str) -> Concern:
    locked = (
        Concern.objects.select_for_update()
        .select_related("membership__enrolment__employer", "membership__scheme")
        .get(pk=concern.pk)
    )
    if locked.state not in STEPS[step].sources:
        raise MembershipError(
            f"The concern is now “{locked.get_state_display().lower()}”: "
            f"“{STEPS[step].label.lower()}” is not possible."
        )
    return locked


def _move(concern: Concern, step: str) -> dict[str, list[str]]:
    before = concern.state
    concern.state = STEPS[step].reaches
    return {"state": [before, concern.state]}


def _check_file(file: UploadedFile | None) -> tuple[str, uploads.Kind] | None:
    if file is None:
        return None
    try:
        return evidence_rules.check(file)
    except uploads.FileRefused as refused:
        raise MembershipError(str(refused), field="file") from refused


def _keep_file(
    concern: Concern, file: UploadedFile, checked: tuple[str, uploads.Kind], side: str
) -> None:
    name, kind = checked
    ConcernEvidence.objects.create(
        concern=concern,
        side=side,
        file=file,
        original_name=name,
        content_type=kind.content_type,
        size=file.size,
    )


def _tell(
    concern: Concern,
    people: Iterable[User],
    subject: str,
    *,
    actor: User | None,
    what: str = "",
) -> None:
    """Queue an e-mail about the concern, in the caller's transaction, to `people` (not the
    person who acted). Its subject is generic (never the member: outboxes are read by others);
    its body names the member, never who raised the concern."""
    url = f"{settings.SITE_URL}{concern.get_absolute_url()}"
    employer = concern.membership.employer.name
    for user in people:
        if actor is not None and user.pk == actor.pk:
            continue
        emails.send(
            user,
            kind=None,
            subject=subject,
            template="membership/email/concern",
            context={"what": what or subject, "concern": concern, "employer": employer, "url": url},
            why=emails.reason(user),
        )


def officers(concern: Concern) -> list[User]:
    return enrolment_rules.role_holders(concern.membership.enrolment, [Role.NATIONAL_OFFICER])


def employer_contacts(concern: Concern) -> list[User]:
    return enrolment_rules.role_holders(concern.membership.enrolment, [Role.EMPLOYER_CONTACT])
