"""A concern's officers' steps and the employer's: putting it to the employer, the response,
the decision (its remedies, suspension or withdrawal) and the one appeal."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.actions.models import OPEN_STATUSES, Action, ActionStatus
from accord.core import audit, mail

from .. import rules, services
from ..models import (
    AppealSide,
    Concern,
    ConcernOutcome,
    MembershipStatus,
)
from ..services import MembershipError
from .raising import link_url
from .steps import (
    S,
    _check_file,
    _keep_file,
    _locked,
    _log,
    _move,
    _tell,
    appeal_days,
    employer_contacts,
    officers,
    response_days,
)

# What the member's history says of a status change decided on a concern: its pages are read
# by reps, secretaries, partners and auditors, who must learn nothing of the concern.
NEUTRAL_REASON = "Decision of the national officers on a confidential matter"


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


def _remedies_audit(remedies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"detail": r["detail"], "owner": r["owner"], "due_on": r["due_on"].isoformat()}
        for r in remedies
    ]


def _apply(concern: Concern, outcome: str, remedies: list[dict[str, Any]], *, actor: User) -> bool:
    """What a decision does: remedies become actions; a suspension or withdrawal changes the
    membership (which records that the employer was asked to stop using the logo), under a
    neutral reason. True when it changed the membership's status; a change the membership
    cannot make is refused."""
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
    if change is None:
        return False
    if membership.status not in services.STATUS_CHANGES[change][0]:
        raise MembershipError(
            f"The membership is {membership.get_status_display().lower()}: this decision "
            "cannot change it.",
            field="outcome",
        )
    services.change_status(
        membership,
        change,
        actor=actor,
        reason=NEUTRAL_REASON,
        logo_stop_requested_on=timezone.localdate(),
    )
    return True


def _drop_open_remedies(concern: Concern, *, actor: User) -> None:
    """A decision changed on appeal away from remedies: the remedies still open are dropped."""
    for action in concern.remedies.filter(status__in=OPEN_STATUSES):
        before = action.status
        action.status = ActionStatus.DROPPED
        action.save(update_fields=["status"])
        audit.log_action(
            action,
            "action.dropped",
            actor=actor,
            summary=f"{actor} dropped {action.label}: the decision was changed on appeal",
            context=action.audit_context,
            changes={"status": [before, action.status]},
            internal=True,
        )


def _tell_raiser(concern: Concern, subject: str, what: str, *, actor: User | None) -> None:
    """Tell the person who raised the concern that it moved on, never the reasons or the
    employer's response: signed in, by the usual e-mail; the public, at their address, with
    their link."""
    if concern.raised_by_id is not None:
        _tell(concern, [concern.raised_by], subject, actor=actor, what=what)
        return
    employer = concern.membership.employer.name
    composed = mail.compose(
        subject=subject,
        template="membership/email/concern",
        context={"what": what, "concern": concern, "employer": employer, "url": link_url(concern)},
        name=concern.raiser_name,
        reason=f"you raised a concern about {employer} on the "
        f"{concern.membership.scheme.name} site",
        preferences=False,
    )
    mail.queue(to=concern.raiser_email, composed=composed)


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
        locked.changed_status = _apply(locked, outcome, remedies, actor=actor)
        locked.save()
        changes["outcome"] = [None, outcome]
        if remedies:
            changes["remedies"] = [None, _remedies_audit(remedies)]
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
        until = appeal_open_until(locked)
        _tell_raiser(
            locked,
            "A decision on your concern",
            f"A decision was made on your concern: open it to see its state. You may appeal "
            f"until {until:%-d %B %Y}.",
            actor=actor,
        )
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
            if locked.outcome == ConcernOutcome.REMEDIES:
                _drop_open_remedies(locked, actor=actor)
            if locked.outcome == ConcernOutcome.SUSPENSION and outcome in (
                ConcernOutcome.NO_ACTION,
                ConcernOutcome.REMEDIES,
            ):
                # Only a suspension this concern made is lifted, never one for another reason.
                if locked.changed_status and locked.membership.status == MembershipStatus.SUSPENDED:
                    services.change_status(
                        locked.membership, "reinstate", actor=actor, reason=NEUTRAL_REASON
                    )
                locked.changed_status = False
            if _apply(locked, outcome, remedies, actor=actor):
                locked.changed_status = True
            if remedies:
                changes["remedies"] = [None, _remedies_audit(remedies)]
            locked.save()
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
        _tell_raiser(
            locked,
            "The appeal on your concern is decided",
            "The appeal on your concern is decided: open it to see its state.",
            actor=actor,
        )
    return locked
