"""Changes to people's accounts: verified addresses and passwords, each on the audit trail."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accord.core import audit

from .models import User


@transaction.atomic
def mark_email_verified(user: User) -> EmailAddress:
    """Record `user`'s own address as their verified, primary address.

    For when the person has shown they receive mail there (they accepted an invitation sent to
    it); any other address they held stops being primary.
    """
    fields = ["email", "verified", "primary"]
    address = EmailAddress.objects.select_for_update().filter(user=user, email=user.email).first()
    before = audit.snapshot(address, fields) if address else {}
    if address and address.verified and address.primary:
        return address
    # At most one primary address per person (a constraint): the others step down first.
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=user.email).update(
        primary=False
    )
    if address is None:
        address = EmailAddress(user=user, email=user.email)
    address.verified = address.primary = True
    address.save()
    audit.log_action(
        user,
        "user.email_verified",
        actor=user,
        summary=f"{user} confirmed the e-mail address {user.email}",
        changes=audit.diff(before, audit.snapshot(address, fields)),
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
