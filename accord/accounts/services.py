"""Changes to people's accounts: verified addresses and passwords, each on the audit trail."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accord.core import audit

from .models import User


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
