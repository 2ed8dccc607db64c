"""Concerns about a member: raising (signed in, or by the public with a confirmed address),
putting to the employer, the response, the officers' decision, and one appeal.

`STEPS` declares each step once: the states it may be taken from and the state it reaches.
Every step is logged on the concern (`ConcernEvent`) and in the audit trail, in the concern's
own stream: the member's timeline, which reps and secretaries read, never shows a concern.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import Role, User
from accord.actions import evidence as evidence_rules
from accord.actions.models import Action
from accord.core import audit, mail, uploads
from accord.enrolments import rules as enrolment_rules

from . import rules, services
from .models import (
    AppealSide,
    Concern,
    ConcernEvent,
    ConcernEvidence,
    ConcernOutcome,
    ConcernState,
    Membership,
    MembershipStatus,
)
from .services import MembershipError

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

# The states in which a concern is a live case for the officers (an unconfirmed one is not).
LIVE = frozenset({S.OPEN, S.PUT_TO_EMPLOYER, S.RESPONDED, S.APPEALED})
# How many remedies the decision form offers.
REMEDY_ROWS = 3
_SALT = "accord.membership.concern-link"


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))  # settings.py reads each from the environment


def response_days() -> int:
    return _days("ACCORD_CONCERN_RESPONSE_DAYS", 28)


def appeal_days() -> int:
    return _days("ACCORD_CONCERN_APPEAL_DAYS", 28)


def confirm_days() -> int:
    return _days("ACCORD_CONCERN_CONFIRM_DAYS", 7)


# --- the public raiser's link ------------------------------------------------------------------


def link_token(concern: Concern) -> str:
    return signing.dumps(concern.pk, salt=_SALT)


def from_token(token: str) -> Concern | None:
    """The concern a raiser's link names, or None for a link that was not made here."""
    try:
        pk = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return (
        Concern.objects.select_related("membership__employer", "membership__scheme")
        .filter(pk=pk)
        .first()
    )


def link_url(concern: Concern) -> str:
    return f"{settings.SITE_URL}{reverse('concern-link', args=[link_token(concern)])}"


# --- rate limits for the public form ----------------------------------------------------------


def _limited(key: str, limit: int) -> bool:
    """Count one more use of `key` today; True when it has been used `limit` times already."""
    cache.add(key, 0, timeout=24 * 60 * 60)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=24 * 60 * 60)
        used = 1
    return used > limit


def check_rate(*, email: str, client_ip: str) -> None:
    """Refuse a public concern beyond the day's limits per e-mail address and per address
    the request came from."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if _limited(f"concern-raise:email:{digest}", _days("ACCORD_CONCERN_LIMIT_PER_EMAIL", 3)):
        raise MembershipError(
            "This e-mail address has raised as many concerns as it may today. Please try "
            "again tomorrow.",
            field="raiser_email",
        )
    if _limited(f"concern-raise:ip:{client_ip}", _days("ACCORD_CONCERN_LIMIT_PER_IP", 10)):
        raise MembershipError(
            "Too many concerns have been sent from your connection today. Please try again "
            "tomorrow."
        )


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


def _tell(concern: Concern, people: Iterable[User], subject: str, *, actor: User | None) -> None:
    """Queue an e-mail about the concern, in the caller's transaction, to `people` (not the
    person who acted). It names the member, never who raised the concern."""
    url = f"{settings.SITE_URL}{concern.get_absolute_url()}"
    employer = concern.membership.employer.name
    for user in people:
        if actor is not None and user.pk == actor.pk:
            continue
        emails.send(
            user,
            kind=None,
            subject=f"{subject} — {employer}",
            template="membership/email/concern",
            context={"what": subject, "concern": concern, "employer": employer, "url": url},
            why=emails.reason(user),
        )


def officers(concern: Concern) -> list[User]:
    return enrolment_rules.role_holders(concern.membership.enrolment, [Role.NATIONAL_OFFICER])


def employer_contacts(concern: Concern) -> list[User]:
    return enrolment_rules.role_holders(concern.membership.enrolment, [Role.EMPLOYER_CONTACT])


def raise_concern(
    membership: Membership,
    *,
    actor: User | None,
    data: dict[str, Any],
    client_ip: str = "",
) -> Concern:
    """Record a concern. A signed-in person's is open at once; the public's waits until the
    link e-mailed to the address given is followed."""
    if membership.status == MembershipStatus.WITHDRAWN:
        raise MembershipError(f"{membership.employer.name} is no longer a member.")
    subject = data["subject"].strip()
    if not subject:
        raise MembershipError("Say what the concern is about.", field="subject")
    current = {v.pk for v in membership.scheme.current_principles()}
    principles = list(data.get("principles") or [])
    if any(p.pk not in current for p in principles):
        raise MembershipError("Choose principles as now worded.", field="principles")
    public = actor is None
    if public:
        if not data.get("raiser_name", "").strip():
            raise MembershipError("Give your name.", field="raiser_name")
        if not data.get("raiser_email", "").strip():
            raise MembershipError("Give your e-mail address.", field="raiser_email")
    checked = _check_file(data.get("file"))
    if public:
        check_rate(email=data["raiser_email"], client_ip=client_ip)
    with transaction.atomic():
        concern = Concern.objects.create(
            membership=membership,
            raised_by=actor,
            raiser_name=data.get("raiser_name", "").strip() if public else "",
            raiser_email=data.get("raiser_email", "").strip() if public else "",
            subject=subject,
            state=S.UNCONFIRMED if public else S.OPEN,
            raised_at=timezone.now(),
            confirmed_at=None if public else timezone.now(),
        )
        concern.principles.set(principles)
        if checked is not None:
            _keep_file(concern, data["file"], checked, AppealSide.RAISER)
        # Who raised it is on the concern, for its officers; never in its log or the audit
        # trail, which others (auditors) may read.
        _log(
            concern,
            "raise",
            actor=None,
            text=(
                "A concern was raised by a member of the public, to be confirmed by e-mail"
                if public
                else "A concern was raised by a signed-in user"
            ),
            changes={"state": [None, concern.state]},
        )
        if public:
            composed = mail.compose(
                subject="Confirm your concern",
                template="membership/email/concern_confirm",
                context={
                    "concern": concern,
                    "employer": membership.employer.name,
                    "url": link_url(concern),
                    "days": confirm_days(),
                },
                name=concern.raiser_name,
                reason=f"you raised a concern about {membership.employer.name} on the "
                f"{membership.scheme.name} site",
                preferences=False,
            )
            mail.queue(to=concern.raiser_email, composed=composed)
        else:
            _tell(concern, officers(concern), "A new concern about a member", actor=actor)
    return concern


def confirm(concern: Concern) -> Concern:
    """The public raiser followed the e-mailed link: the concern goes to the officers."""
    with transaction.atomic():
        locked = _locked(concern, "confirm")
        if timezone.now() - locked.raised_at > datetime.timedelta(days=confirm_days()):
            raise MembershipError(
                "This link has expired: please raise the concern again from the member's page."
            )
        changes = _move(locked, "confirm")
        locked.confirmed_at = timezone.now()
        locked.save()
        _log(
            locked, "confirm", actor=None, text="The raiser confirmed the concern", changes=changes
        )
        _tell(locked, officers(locked), "A new concern about a member", actor=None)
    return locked


def expire_unconfirmed(today: datetime.date | None = None) -> int:
    """Close the public concerns whose link was not followed in time (the daily run)."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=confirm_days())
    count = 0
    stale = Concern.objects.filter(state=S.UNCONFIRMED, raised_at__date__lt=cutoff)
    for concern in stale.iterator():
        with transaction.atomic():
            locked = _locked(concern, "expire")
            changes = _move(locked, "expire")
            locked.save()
            _log(
                locked,
                "expire",
                actor=None,
                text="Closed: the raiser never confirmed the concern",
                changes=changes,
            )
        count += 1
    return count


def _require_officer(actor: User, concern: Concern) -> None:
    if not rules.can_handle_concerns(actor, concern.membership):
        raise MembershipError("Only a national officer of the scheme handles concerns.")


def put_to_employer(concern: Concern, *, actor: User, data: dict[str, Any]) -> Concern:
    """Tell the employer what the concern is about (never who raised it), with a deadline."""
    _require_officer(actor, concern)
    due = data.get("response_due_on") or (
        timezone.localdate() + datetime.timedelta(days=response_days())
    )
    if due <= timezone.localdate():
        raise MembershipError("The response must be due after today.", field="response_due_on")
    with transaction.atomic():
        locked = _locked(concern, "put_to_employer")
        changes = _move(locked, "put_to_employer")
        locked.put_at = timezone.now()
        locked.put_note = data.get("put_note", "").strip()
        locked.response_due_on = due
        locked.save()
        changes["response_due_on"] = [None, due.isoformat()]
        _log(
            locked,
            "put_to_employer",
            actor=actor,
            text=f"{actor} put the concern to the employer, response due {due:%-d %B %Y}",
            changes=changes,
            note=locked.put_note,
        )
        _tell(locked, employer_contacts(locked), "A concern to respond to", actor=actor)
    return locked


def respond(concern: Concern, *, actor: User, data: dict[str, Any]) -> Concern:
    """The employer's response, perhaps with evidence."""
    text = data["response"].strip()
    if not text:
        raise MembershipError("Give the employer's response.", field="response")
    checked = _check_file(data.get("file"))
    with transaction.atomic():
        locked = _locked(concern, "respond")
        if not rules.can_respond_to_concern(actor, locked):
            raise MembershipError("Only the employer's contact responds to a concern put to it.")
        changes = _move(locked, "respond")
        locked.response = text
        locked.responded_at = timezone.now()
        locked.save()
        if checked is not None:
            _keep_file(locked, data["file"], checked, AppealSide.EMPLOYER)
            changes["evidence"] = [None, checked[0]]
        _log(
            locked,
            "respond",
            actor=actor,
            text=f"{actor} responded for the employer",
            changes=changes,
            note=text,
        )
        _tell(locked, officers(locked), "The employer responded to a concern", actor=actor)
    return locked


def _validate_decision(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The remedies of a decision (none unless it is "remedies agreed"), checked."""
    if not data.get("reasons", "").strip():
        raise MembershipError("Give the reasons for the decision.", field="reasons")
    remedies = [r for r in data.get("remedies") or [] if r.get("detail")]
    if data["outcome"] == ConcernOutcome.REMEDIES:
        if not remedies:
            raise MembershipError("Add at least one remedy.", field="remedies")
        for number, remedy in enumerate(remedies, start=1):
            if not remedy.get("owner") or not remedy.get("due_on"):
                raise MembershipError(
                    f"Remedy {number} needs an owner and a deadline.", field="remedies"
                )
            if remedy["due_on"] <= timezone.localdate():
                raise MembershipError(f"Remedy {number} must be due after today.", field="remedies")
    return remedies if data["outcome"] == ConcernOutcome.REMEDIES else []


def _apply(
    concern: Concern, outcome: str, remedies: list[dict[str, Any]], *, actor: User, reasons: str
) -> None:
    """What a decision does: remedies become actions; a suspension or withdrawal changes the
    membership (which records that the employer was asked to stop using the logo)."""
    if remedies:
        start = concern.remedies.count()
        Action.objects.bulk_create(
            Action(
                concern=concern,
                number=start + number,
                detail=remedy["detail"],
                owner=remedy["owner"],
                due_on=remedy["due_on"],
            )
            for number, remedy in enumerate(remedies, start=1)
        )
    membership = concern.membership
    change = {
        ConcernOutcome.SUSPENSION: "suspend",
        ConcernOutcome.WITHDRAWAL: "withdraw",
    }.get(outcome)
    if change and membership.status in services.STATUS_CHANGES[change][0]:
        services.change_status(
            membership,
            change,
            actor=actor,
            reason=f"Decision on a concern: {reasons}",
            logo_stop_requested_on=timezone.localdate(),
        )


def decide(concern: Concern, *, actor: User, data: dict[str, Any]) -> Concern:
    """The officer's decision, with reasons. A concern put to the employer is decided once it
    has responded or its deadline has passed; one never put to it may only end in no action."""
    _require_officer(actor, concern)
    remedies = _validate_decision(data)
    with transaction.atomic():
        locked = _locked(concern, "decide")
        outcome = data["outcome"]
        if locked.state == S.OPEN and outcome != ConcernOutcome.NO_ACTION:
            raise MembershipError(
                "Put the concern to the employer first: without its response, the only "
                "decision is no action.",
                field="outcome",
            )
        if locked.state == S.PUT_TO_EMPLOYER and timezone.localdate() <= locked.response_due_on:
            raise MembershipError(
                f"The employer may respond until {locked.response_due_on:%-d %B %Y}: decide "
                "once it has, or after that date."
            )
        changes = _move(locked, "decide")
        locked.outcome = outcome
        locked.reasons = data["reasons"].strip()
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save()
        _apply(locked, outcome, remedies, actor=actor, reasons=locked.reasons)
        changes["outcome"] = [None, outcome]
        _log(
            locked,
            "decide",
            actor=actor,
            text=f"{actor} decided: {locked.get_outcome_display()}",
            changes=changes,
            note=locked.reasons,
        )
        told = employer_contacts(locked) if locked.put_at else []
        _tell(locked, told, "A decision on the concern", actor=actor)
    return locked


def appeal_open_until(concern: Concern) -> datetime.date | None:
    if concern.decided_at is None:
        return None
    return timezone.localdate(concern.decided_at) + datetime.timedelta(days=appeal_days())


def may_appeal(concern: Concern, side: str) -> bool:
    """Either side may appeal once, within the appeal period; the employer only a concern
    that was put to it."""
    until = appeal_open_until(concern)
    if concern.state != S.DECIDED or until is None or timezone.localdate() > until:
        return False
    return side == AppealSide.RAISER or concern.put_at is not None


def appeal(concern: Concern, *, side: str, actor: User | None, data: dict[str, Any]) -> Concern:
    """Either side's one appeal, to a national officer other than the one who decided. The
    view checks who `side` is: the raiser (signed in, or through their link) or the employer."""
    grounds = data.get("grounds", "").strip()
    if not grounds:
        raise MembershipError("Give the grounds of the appeal.", field="grounds")
    with transaction.atomic():
        locked = _locked(concern, "appeal")
        if not may_appeal(locked, side):
            raise MembershipError("The decision can no longer be appealed.")
        changes = _move(locked, "appeal")
        locked.appeal_side = side
        locked.appeal_grounds = grounds
        locked.appealed_at = timezone.now()
        locked.save()
        _log(
            locked,
            "appeal",
            actor=actor if side == AppealSide.EMPLOYER else None,
            text=f"{AppealSide(side).label} appealed the decision",
            changes=changes,
            note=grounds,
        )
        others = [u for u in officers(locked) if u.pk != locked.decided_by_id]
        _tell(locked, others, "An appeal to decide", actor=actor)
    return locked


def decide_appeal(concern: Concern, *, actor: User, data: dict[str, Any]) -> Concern:
    """A second national officer confirms the decision or changes it. A withdrawal is final."""
    with transaction.atomic():
        locked = _locked(concern, "decide_appeal")
        if not rules.can_decide_appeal(actor, locked):
            raise MembershipError(
                "An appeal is decided by a national officer other than the one who decided."
            )
        outcome = data["outcome"]
        # Confirming keeps the remedies already agreed; a change brings its own.
        remedies = [] if outcome == locked.outcome else _validate_decision(data)
        if not data.get("reasons", "").strip():
            raise MembershipError("Give the reasons for the decision.", field="reasons")
        if locked.outcome == ConcernOutcome.WITHDRAWAL and outcome != locked.outcome:
            raise MembershipError(
                "A withdrawal is final: the employer may be proposed and listed again.",
                field="outcome",
            )
        changes = _move(locked, "decide_appeal")
        locked.appeal_outcome = outcome
        locked.appeal_reasons = data["reasons"].strip()
        locked.appeal_decided_at = timezone.now()
        locked.appeal_decided_by = actor
        locked.save()
        if outcome != locked.outcome:
            _apply(locked, outcome, remedies, actor=actor, reasons=locked.appeal_reasons)
            membership = locked.membership
            if (
                locked.outcome == ConcernOutcome.SUSPENSION
                and outcome in (ConcernOutcome.NO_ACTION, ConcernOutcome.REMEDIES)
                and membership.status == MembershipStatus.SUSPENDED
            ):
                services.change_status(
                    membership,
                    "reinstate",
                    actor=actor,
                    reason=f"Appeal on a concern: {locked.appeal_reasons}",
                )
        verdict = (
            "confirmed the decision"
            if outcome == locked.outcome
            else f"changed the decision to {ConcernOutcome(outcome).label.lower()}"
        )
        changes["appeal_outcome"] = [None, outcome]
        _log(
            locked,
            "decide_appeal",
            actor=actor,
            text=f"{actor} decided the appeal: {verdict}",
            changes=changes,
            note=locked.appeal_reasons,
        )
        told = employer_contacts(locked) if locked.put_at else []
        _tell(locked, told, "The appeal on the concern is decided", actor=actor)
    return locked
