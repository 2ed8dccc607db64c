"""An employer's request to join, from the public home page: recorded, routed to the local
secretary of the employer's area (else to the national officers), acknowledged by e-mail, and
then turned into a proposal or closed with a reason. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import EmailKind, Role, RoleAssignment, User
from accord.accounts.rules import assignments
from accord.core import audit, mail
from accord.core.errors import DomainError
from accord.organisations.models import Association, Employer, LocalAuthority
from accord.schemes.models import Scheme

from . import rules, services
from .models import Enrolment, Initiator, JoinRequest, JoinRequestStatus

# What the audit trail keeps of a request (its personal details stay on the record itself).
AUDITED = ("employer_name", "kind", "local_authority", "urn", "employer", "association", "status")
NEW_EMPLOYER = "new"


class JoinRequestError(DomainError):
    """A join request cannot be handled so."""


def route(local_authority: LocalAuthority, urn: str) -> tuple[Employer | None, Association | None]:
    """The employer the request names (by URN), and the association whose secretary takes it
    up: the employer's own association, else the one covering its local authority."""
    employer = None
    if urn:
        employer = Employer.objects.select_related("association").filter(urn=urn).first()
    if employer is not None and employer.association_id is not None:
        return employer, employer.association
    association = local_authority.associations.order_by("id").first()
    return employer, association


def waiting_for_secretary(user: User) -> QuerySet[JoinRequest]:
    """Open requests from employers in the user's associations, as their local secretary."""
    condition = Q(pk__in=[])
    for a in assignments(user):
        if a.role == Role.LOCAL_SECRETARY:
            condition |= Q(association_id=a.association_id, scheme__lead_union_id=a.union_id)
    return _open().filter(condition)


def nobody_to_take(user: User) -> QuerySet[JoinRequest]:
    """Open requests that no local secretary can take up (no association for the area, or
    nobody holding it), in the schemes the user leads as a national officer."""
    unions = [a.union_id for a in assignments(user) if a.role == Role.NATIONAL_OFFICER]
    if not unions:
        return JoinRequest.objects.none()
    secretaries = RoleAssignment.objects.filter(
        role=Role.LOCAL_SECRETARY,
        association=OuterRef("association"),
        union=OuterRef("scheme__lead_union"),
        user__is_active=True,
    )
    return _open().filter(scheme__lead_union_id__in=unions).exclude(Exists(secretaries))


def _open() -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(status=JoinRequestStatus.OPEN)
        .select_related("scheme", "local_authority", "association")
        .order_by("created_at", "id")
    )


def recipients(join_request: JoinRequest) -> list[User]:
    """Who the request waits on: the association's local secretaries, else the officers."""
    secretaries = []
    if join_request.association_id is not None:
        secretaries = [
            a.user
            for a in RoleAssignment.objects.filter(
                role=Role.LOCAL_SECRETARY,
                association_id=join_request.association_id,
                union_id=join_request.scheme.lead_union_id,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("id")
        ]
    if secretaries:
        return list({u.pk: u for u in secretaries}.values())
    officers = RoleAssignment.objects.filter(
        role=Role.NATIONAL_OFFICER,
        union_id=join_request.scheme.lead_union_id,
        user__is_active=True,
    ).select_related("user")
    return list({a.user_id: a.user for a in officers.order_by("id")}.values())


def submit(*, scheme: Scheme, data: dict[str, Any]) -> JoinRequest:
    """Record a request sent from the public form, tell whoever takes it up, and acknowledge
    it to the requester."""
    with transaction.atomic():
        employer, association = route(data["local_authority"], data.get("urn", ""))
        join_request = JoinRequest.objects.create(
            scheme=scheme,
            employer_name=data["employer_name"],
            kind=data["kind"],
            local_authority=data["local_authority"],
            urn=data.get("urn", ""),
            contact_name=data["contact_name"],
            job_title=data["job_title"],
            email=data["email"],
            phone=data.get("phone", ""),
            message=data["message"],
            employer=employer,
            association=association,
        )
        audit.log_action(
            join_request,
            "join_request.submit",
            actor=None,
            summary=f"{join_request.employer_name} asked to join {scheme.name}",
            changes=audit.diff({}, audit.snapshot(join_request, AUDITED)),
        )
        url = f"{settings.SITE_URL}{join_request.get_absolute_url()}"
        for user in recipients(join_request):
            emails.send(
                user,
                kind=EmailKind.JOIN_REQUESTS,
                subject=f"An employer asks to join: {join_request.employer_name}",
                template="enrolments/email/join_request",
                context={"request": join_request, "url": url},
                why=emails.reason(user, [Role.LOCAL_SECRETARY, Role.NATIONAL_OFFICER]),
            )
        # The requester has no account, so no preferences: this is the one e-mail they get.
        composed = mail.compose(
            subject=f"Your request to join the {scheme.name}",
            template="enrolments/email/join_request_received",
            context={"request": join_request},
            name=join_request.contact_name,
            reason=f"you asked, on the {scheme.name} site, for {join_request.employer_name} "
            "to join; Accord writes to you only this once",
            preferences=False,
        )
        mail.queue(to=join_request.email, composed=composed)
    return join_request


def employer_choices(join_request: JoinRequest, limit: int = 20) -> list[Employer]:
    """Employers the request may be about: the one its URN names, else those of its local
    authority whose name contains what the requester typed."""
    if join_request.employer is not None:
        return [join_request.employer]
    words = join_request.employer_name.split()
    found = Employer.objects.filter(local_authority=join_request.local_authority)
    for word in words[:3]:
        found = found.filter(name__icontains=word)
    return list(found.select_related("parent").order_by("name", "id")[:limit])


def _locked(join_request: JoinRequest) -> JoinRequest:
    locked = (
        # Only the request's row: PostgreSQL locks no nullable side of an outer join.
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("scheme__lead_union", "local_authority", "association", "employer")
        .get(pk=join_request.pk)
    )
    if not locked.is_open:
        raise JoinRequestError(
            f"This request has already been handled ({locked.get_status_display().lower()})."
        )
    return locked


def propose(
    join_request: JoinRequest,
    *,
    actor: User,
    employer: Employer | None,
    reason: str,
    exception_reason: str = "",
) -> Enrolment:
    """Turn the request into a proposal, recorded as initiated by the employer. With no
    `employer`, the employer is added from what the request says."""
    with transaction.atomic():
        locked = _locked(join_request)
        if not rules.can_propose_from_join_request(actor, locked):
            raise JoinRequestError(
                "Only the local secretary of the area turns this request into a proposal."
            )
        if employer is None:
            known = (
                Employer.objects.current().filter(urn=locked.urn).first() if locked.urn else None
            )
            if known is not None:
                raise JoinRequestError(
                    f"{known.name} already has URN {locked.urn} in Accord: choose it rather "
                    "than adding the employer again.",
                    field="employer",
                )
            employer = Employer.objects.create(
                name=locked.employer_name,
                kind=locked.kind,
                urn=locked.urn,
                local_authority=locked.local_authority,
                association=locked.association,
            )
            audit.log_action(
                employer,
                "employer.create",
                actor=actor,
                summary=f"{actor} added {employer.name} from its request to join",
                changes=audit.diff({}, audit.snapshot(employer, ("name", "kind", "urn"))),
            )
        enrolment = services.propose(
            scheme=locked.scheme,
            employer=employer,
            actor=actor,
            data={
                "initiated_by": Initiator.EMPLOYER,
                "reason": reason,
                "exception_reason": exception_reason,
            },
        )
        before = audit.snapshot(locked, AUDITED)
        locked.status = JoinRequestStatus.PROPOSED
        locked.employer = employer
        locked.enrolment = enrolment
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save()
        audit.log_action(
            locked,
            "join_request.propose",
            actor=actor,
            summary=f"{actor} turned the request from {locked.employer_name} into a proposal",
            changes=audit.diff(before, audit.snapshot(locked, AUDITED)),
        )
    return enrolment


def close(join_request: JoinRequest, *, actor: User, reason: str) -> JoinRequest:
    """Close the request with a reason (a duplicate, not an employer the scheme is for...)."""
    reason = reason.strip()
    if not reason:
        raise JoinRequestError("Say why the request is closed.", field="reason")
    with transaction.atomic():
        locked = _locked(join_request)
        if not rules.can_handle_join_request(actor, locked):
            raise JoinRequestError("Only the local secretary of the area handles this request.")
        before = audit.snapshot(locked, (*AUDITED, "closed_reason"))
        locked.status = JoinRequestStatus.CLOSED
        locked.closed_reason = reason
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save()
        audit.log_action(
            locked,
            "join_request.close",
            actor=actor,
            summary=f"{actor} closed the request from {locked.employer_name}",
            changes=audit.diff(before, audit.snapshot(locked, (*AUDITED, "closed_reason"))),
            note=reason,
        )
    return locked
