"""Giving, ending and changing roles; inviting people; deactivating and reactivating them.

Each service checks the rule in `rules.py`, writes in one transaction and audits the change
with its before and after; e-mails go through the outbox in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accord.core import audit
from accord.core.errors import DomainError

from . import emails, rules
from .models import SCOPE_FIELDS, Invitation, RoleAssignment, User

ROLE_FIELDS = ("role", *SCOPE_FIELDS, "starts_on", "ends_on", "end_reason")
# Sessions kept in the database can be found and deleted; other engines rely on the sign-in
# backend, which refuses an inactive user on every request anyway.
_DATABASE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


@dataclass
class RoleSpec:
    """A role to give, and what it is held for (only the scope fields the role needs)."""

    role: str
    scope: dict[str, Any] = field(default_factory=dict)

    def build(self, user: User | None = None) -> RoleAssignment:
        return RoleAssignment(user=user, role=self.role, **self.scope)

    def describe(self) -> str:
        return str(self.build())


def _person_context(user: User) -> str:
    # A person's roles, invitations and status changes read as one history.
    return audit.context_of(user)


def _check_shape(assignment: RoleAssignment) -> None:
    try:
        assignment.full_clean(exclude=["user"])
    except ValidationError as error:
        raise DomainError(
            f"{assignment.get_role_display()} needs what it is held for, and only that: "
            + " ".join(error.messages)
        ) from error


def _grant(user: User, spec: RoleSpec, *, actor: User) -> RoleAssignment:
    assignment = spec.build(user)
    assignment.granted_by = actor
    _check_shape(assignment)
    if not rules.may_grant(actor, assignment):
        raise DomainError(f"You may not give the role {assignment}.", "role")
    held = RoleAssignment.objects.filter(user=user, role=spec.role, **spec.scope)
    if held.exists():
        raise DomainError(f"{user} already holds the role {assignment}.", "role")
    assignment.save()
    audit.log_action(
        assignment,
        "role.grant",
        actor=actor,
        summary=f"{actor} gave {user} the role {assignment}",
        context=_person_context(user),
        changes=audit.diff({}, audit.snapshot(assignment, ROLE_FIELDS)),
    )
    return assignment


def grant_role(user: User, spec: RoleSpec, *, actor: User) -> RoleAssignment:
    """Give `user` a role, from today."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        return _grant(user, spec, actor=actor)


def _end(
    assignment: RoleAssignment, *, actor: User, ends_on: datetime.date | None, reason: str
) -> RoleAssignment:
    # Only the role's row: PostgreSQL locks no nullable side of an outer join.
    locked = RoleAssignment.history.select_for_update(of=("self",)).select_related(
        "employer", "user"
    )
    assignment = locked.get(pk=assignment.pk)
    if not assignment.is_current():
        raise DomainError("This role has ended already.")
    if not rules.can_end_role(actor, assignment):
        raise DomainError(f"You may not end the role {assignment}.")
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise DomainError(
            f"A role cannot end before it started ({assignment.starts_on:%-d %B %Y}).", "ends_on"
        )
    before = audit.snapshot(assignment, ROLE_FIELDS)
    assignment.ends_on = ends_on
    assignment.ended_by = actor
    assignment.end_reason = reason
    assignment.save(update_fields=["ends_on", "ended_by", "end_reason"])
    audit.log_action(
        assignment,
        "role.end",
        actor=actor,
        summary=f"{actor} ended {assignment.user}'s role {assignment} from {ends_on:%-d %B %Y}",
        context=_person_context(assignment.user),
        changes=audit.diff(before, audit.snapshot(assignment, ROLE_FIELDS)),
        note=reason,
    )
    return assignment


def end_role(
    assignment: RoleAssignment,
    *,
    actor: User,
    ends_on: datetime.date | None = None,
    reason: str = "",
) -> RoleAssignment:
    """End a role on `ends_on` (today): the row stays as history and grants nothing from then."""
    with transaction.atomic():
        return _end(assignment, actor=actor, ends_on=ends_on, reason=reason)


def change_role(
    assignment: RoleAssignment, spec: RoleSpec, *, actor: User, reason: str = ""
) -> RoleAssignment:
    """End the role today and give the new one, together or not at all."""
    with transaction.atomic():
        old = _end(assignment, actor=actor, ends_on=None, reason=reason or "Changed")
        return _grant(old.user, spec, actor=actor)


# --- invitations ---------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('invitation', args=[token])}"


def _void_open_invitations(user: User, now: datetime.datetime) -> int:
    return Invitation.objects.open().filter(user=user).update(voided_at=now)


def _send_invitation(user: User, *, actor: User, roles: list[RoleAssignment]) -> str:
    now = timezone.now()
    voided = _void_open_invitations(user, now)
    token = secrets.token_urlsafe(32)
    days = settings.ACCORD_INVITATION_DAYS
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    emails.send(
        user,
        kind=None,
        subject="You are invited to Accord",
        template="accounts/email/invitation",
        context={"actor": actor, "roles": roles, "url": invitation_url(token), "days": days},
        why=f"{actor.get_full_name()} invited you to Accord; invitations are always sent",
    )
    audit.log_action(
        user,
        "person.invite",
        actor=actor,
        summary=f"{actor} sent {user} a link to set a password"
        + (" (the earlier link no longer works)" if voided else ""),
        context=_person_context(user),
        changes={"invitation": [None, f"expires {invitation.expires_at:%Y-%m-%d %H:%M}"]},
    )
    return token


@dataclass
class Invited:
    user: User
    created: bool
    token: str  # empty when the person already had a password: they were told by e-mail


def invite(*, email: str, full_name: str, roles: list[RoleSpec], actor: User) -> Invited:
    """Invite someone with one or more roles. A known address gets the roles added; someone
    who has not yet set a password gets a fresh link (the old one stops working); someone who
    has is told of the new roles."""
    if not roles:
        raise DomainError("Give the person at least one role.", "role")
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email, email=email, password=None, full_name=full_name)
            audit.log_action(
                user,
                "person.create",
                actor=actor,
                summary=f"{actor} added {user} ({email})",
                context=_person_context(user),
                changes=audit.diff({}, audit.snapshot(user, ["email", "full_name", "is_active"])),
            )
        elif not user.is_active:
            raise DomainError(
                "This person's account is deactivated: reactivate it on their page first.",
                "email",
            )
        given = [_grant(user, spec, actor=actor) for spec in roles]
        if user.has_usable_password():
            emails.send(
                user,
                kind=None,
                subject="You have a new role in Accord",
                template="accounts/email/roles_given",
                context={"actor": actor, "roles": given, "url": settings.SITE_URL},
                why=f"{actor.get_full_name()} gave you a role in Accord; news of your roles is "
                "always sent",
            )
            return Invited(user, created, "")
        return Invited(user, created, _send_invitation(user, actor=actor, roles=given))


def resend_invitation(user: User, *, actor: User) -> str:
    """A fresh link for someone who has not set a password yet; the old link stops working."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not rules.can_manage_person(actor, user):
            raise DomainError("You may not invite this person.")
        if not user.is_active:
            raise DomainError("This person's account is deactivated: reactivate it first.")
        if user.has_usable_password():
            raise DomainError(
                "This person has set a password already: they sign in, or reset it if forgotten."
            )
        roles = list(RoleAssignment.objects.filter(user=user))
        return _send_invitation(user, actor=actor, roles=roles)


class InvitationRefused(DomainError):
    """The link does not work: used, replaced, expired, or never issued."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


REFUSALS = {
    "unknown": "This link is not one Accord sent, or it has been copied incompletely.",
    "used": "This link has been used already: it works once. Sign in with your password.",
    "voided": "A newer invitation replaced this link. Use the link in the latest e-mail.",
    "expired": "This link has expired. Ask the person who invited you to send a new one.",
    "inactive": "This account is not active. Ask a national officer.",
    "password_set": "A password has been set for this account since: sign in with it, or use "
    "“Forgotten your password?” on the sign-in page.",
}


def invitation_for(token: str) -> Invitation:
    """The invitation the link names, if the link still works; else InvitationRefused."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationRefused("unknown")
    if invitation.state != "open":
        raise InvitationRefused(invitation.state)
    if not invitation.user.is_active:
        raise InvitationRefused("inactive")
    if invitation.user.has_usable_password():
        # Set by a reset since: the link is for choosing a first password, and whoever else
        # holds it must not replace the one chosen.
        raise InvitationRefused("password_set")
    return invitation


def accept_invitation(token: str, *, password: str) -> User:
    """Set the invited person's password and use up the link (once, even if sent twice)."""
    with transaction.atomic():
        invitation = invitation_for(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "open":
            raise InvitationRefused(invitation.state)
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        if user.has_usable_password():
            raise InvitationRefused("password_set")
        now = timezone.now()
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        _void_open_invitations(user, now)
        audit.log_action(
            user,
            "person.accept",
            actor=user,
            summary=f"{user} set a password from their invitation",
            context=_person_context(user),
            changes={"password": ["not set", "set"]},
        )
        # Following the link e-mailed there shows the address is the person's.
        mark_email_verified(user)
    return user


# --- deactivation --------------------------------------------------------------------------


def _delete_sessions(user: User) -> int:
    if settings.SESSION_ENGINE not in _DATABASE_SESSIONS:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    deleted = 0
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            deleted += 1
    return deleted


def deactivate(user: User, *, actor: User, reason: str = "") -> User:
    """The person loses access at once: sign-in, open sessions, unused invitation links and
    calendar feeds (which answer only for active people). Their roles are kept, granting
    nothing while they are inactive; their open tasks go to the national officers."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not rules.can_manage_person(actor, user):
            raise DomainError("You may not deactivate this person.")
        if not user.is_active:
            raise DomainError("This person is deactivated already.")
        user.is_active = False
        user.save(update_fields=["is_active"])
        _void_open_invitations(user, timezone.now())
        sessions = _delete_sessions(user)
        audit.log_action(
            user,
            "person.deactivate",
            actor=actor,
            summary=f"{actor} deactivated {user}",
            context=_person_context(user),
            changes={"is_active": [True, False], "sessions_ended": [None, sessions]},
            note=reason,
        )
    return user


def reactivate(user: User, *, actor: User, reason: str = "") -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not rules.can_manage_person(actor, user):
            raise DomainError("You may not reactivate this person.")
        if user.is_active:
            raise DomainError("This person is active already.")
        if user.is_erased:
            raise DomainError("This person's personal data was erased: invite them afresh.")
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.log_action(
            user,
            "person.reactivate",
            actor=actor,
            summary=f"{actor} reactivated {user}",
            context=_person_context(user),
            changes={"is_active": [False, True]},
            note=reason,
        )
    return user


@transaction.atomic
def mark_email_verified(user: User, *, actor: User | None = None) -> EmailAddress:
    """Record `user`'s address as their one verified, primary address.

    For when the person has shown they receive mail there (they accepted an invitation sent to
    it), and after an officer changes their address: any other address they held is removed,
    so it no longer signs them in or receives a password reset. `actor` is whoever made the
    change, the person themselves unless said otherwise.
    """
    addresses = list(EmailAddress.objects.select_for_update().filter(user=user).order_by("pk"))
    address = next((a for a in addresses if a.email == user.email), None)
    others = sorted(a.email for a in addresses if a is not address)
    if address and address.verified and address.primary and not others:
        return address
    before = {
        "verified": address.verified if address else None,
        "primary": address.primary if address else None,
        "other addresses": others,
    }
    EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
    if address is None:
        address = EmailAddress(user=user, email=user.email)
    address.verified = address.primary = True
    address.save()
    audit.log_action(
        user,
        "user.email_verified",
        actor=actor or user,
        summary=f"{user}'s e-mail address {user.email} is confirmed",
        changes=audit.diff(before, {"verified": True, "primary": True, "other addresses": []}),
        internal=True,
    )
    return address


# How a password came to change, as the audit trail says it.
PASSWORD_CHANGES = {
    "changed": "changed their password",
    "set": "set a password",
    "reset": "reset their password from an e-mailed link",
}


@transaction.atomic
def set_password(user: User, password: str, *, how: str) -> None:
    """Set `user`'s own password and record that it changed (never the password or its hash).

    `how` is a key of PASSWORD_CHANGES: changed or set while signed in, or reset from a link.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.log_action(
        user,
        f"user.password_{how}",
        actor=user,
        summary=f"{user} {PASSWORD_CHANGES[how]}",
        changes={"password": ["(previous password)", "(new password)"]},
        internal=True,
    )


# --- sessions and two-factor sign-in -------------------------------------------------------


def _raise_security_stamp(user: User) -> None:
    """End every session of `user`: each checks the stamp on its next request (O(1), no scan)."""
    User.objects.filter(pk=user.pk).update(security_stamp=F("security_stamp") + 1)
    user.refresh_from_db(fields=["security_stamp"])


def sign_out_everywhere(user: User, *, actor: User) -> None:
    """End all of `user`'s sessions, on every device, the one making the request included."""
    with transaction.atomic():
        _raise_security_stamp(user)
        audit.log_action(
            user,
            "user.signed_out_everywhere",
            actor=actor,
            summary=f"{actor} ended every session of {user}",
            changes={"sessions": ["(open)", "(ended)"]},
            internal=True,
        )


def reset_mfa(person: User, *, actor: User, reason: str = "") -> int:
    """Remove `person`'s authenticator app and recovery codes (a lost phone) and end their
    sessions: they sign in again with their password and, if they must, set up a new app
    before anything else. Returns how many authenticators were removed."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if not rules.can_reset_mfa(actor, person):
            raise DomainError("You may not reset this person's two-factor sign-in.")
        kinds = sorted(Authenticator.objects.filter(user=person).values_list("type", flat=True))
        if not kinds:
            raise DomainError("This person has not set up two-factor sign-in.")
        Authenticator.objects.filter(user=person).delete()
        _raise_security_stamp(person)
        audit.log_action(
            person,
            "user.mfa_reset",
            actor=actor,
            summary=f"{actor} reset the two-factor sign-in of {person}",
            context=_person_context(person),
            changes={"authenticators": [kinds, []], "sessions": ["(open)", "(ended)"]},
            note=reason,
        )
    return len(kinds)


def record_people_download(*, actor: User, kind: str, filters: str) -> None:
    """Audit a download of the list of people (names, addresses and roles, which say who
    belongs to a union) as a person's data downloads are: who, when, which filters."""
    with transaction.atomic():
        audit.log_action(
            actor,
            "people.export",
            actor=actor,
            summary=f"{actor} downloaded the list of people as {kind.upper()}",
            context=_person_context(actor),
            changes={"download": [None, f"people ({kind})"], "filters": [None, filters]},
            internal=True,
        )
