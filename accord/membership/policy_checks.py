"""Policy checks: a member's new policies and initiatives, assessed against the principles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import EmailKind, Role, User
from accord.core import audit
from accord.enrolments import rules as enrolment_rules

from . import rules
from .models import Assessment, Membership, PolicyCheck
from .services import MembershipError


def log_policy(membership: Membership, *, actor: User, data: dict[str, Any]) -> PolicyCheck:
    if not rules.can_log_policy(actor, membership.enrolment):
        raise MembershipError("You may not log policies for this member.")
    with transaction.atomic():
        check = PolicyCheck.objects.create(
            membership=membership,
            title=data["title"],
            description=data["description"],
            introduced_on=data.get("introduced_on"),
            logged_by=actor,
        )
        audit.log_action(
            check,
            "policy_check.log",
            actor=actor,
            summary=f"{actor} logged a policy for checking: {check.title}",
            context=membership.enrolment.audit_context,
            changes={"title": [None, check.title]},
        )
        _tell(check, [Role.LOCAL_SECRETARY], actor, f"A new policy to assess: {check.title}")
    return check


def _tell(check: PolicyCheck, roles: list[Role], actor: User, subject: str) -> None:
    """Queue an e-mail, in the caller's transaction, to the holders of `roles` for this member
    (not the person who acted)."""
    enrolment = check.membership.enrolment
    url = f"{settings.SITE_URL}{check.get_absolute_url()}"
    for user in enrolment_rules.role_holders(enrolment, roles):
        if user.pk != actor.pk:
            emails.send(
                user,
                kind=EmailKind.POLICY_CHECKS,
                subject=f"{subject} — {enrolment.employer.name}",
                template="membership/email/policy_check",
                context={"what": subject, "check": check, "enrolment": enrolment, "url": url},
                why=emails.reason(user, roles),
            )


def assess_policy(check: PolicyCheck, *, actor: User, data: dict[str, Any]) -> PolicyCheck:
    """Record the assessment and the unions' response. A detriment names the principles."""
    enrolment = check.membership.enrolment
    if not rules.can_assess_policy(actor, enrolment):
        raise MembershipError("Only the local secretary assesses policies for the unions.")
    principles = list(data.get("principles") or [])
    if data["assessment"] == Assessment.DETRIMENT and not principles:
        raise MembershipError("Name the principles the detriment is against.", field="principles")
    current = {v.pk for v in check.membership.scheme.current_principles()}
    if any(p.pk not in current for p in principles):
        raise MembershipError("Choose principles as now worded.", field="principles")
    with transaction.atomic():
        locked = PolicyCheck.objects.select_for_update().get(pk=check.pk)
        if locked.is_assessed:
            raise MembershipError("This policy has already been assessed.")
        locked.assessment = data["assessment"]
        locked.reasoning = data["reasoning"]
        locked.union_response = data["union_response"]
        locked.assessed_by, locked.assessed_at = actor, timezone.now()
        locked.save()
        locked.principles.set(principles)
        audit.log_action(
            locked,
            "policy_check.assess",
            actor=actor,
            summary=f"{actor} assessed “{locked.title}”: {locked.get_assessment_display()}",
            context=enrolment.audit_context,
            changes={
                "assessment": [None, locked.assessment],
                "principles": [None, [p.principle.number for p in principles]],
            },
            note=locked.reasoning,
        )
        if locked.assessment == Assessment.DETRIMENT:
            _tell(
                locked,
                [Role.NATIONAL_OFFICER],
                actor,
                f"A detriment was identified in “{locked.title}”: consider suspension",
            )
    return locked
