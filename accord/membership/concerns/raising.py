"""Raising a concern: signed in, or by the public with a name and an address confirmed by a
signed link, within daily limits; unconfirmed concerns close after a week."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import User
from accord.core import mail

from ..models import (
    AppealSide,
    Concern,
    Membership,
    MembershipStatus,
)
from ..services import MembershipError
from .steps import (
    S,
    _check_file,
    _days,
    _keep_file,
    _locked,
    _log,
    _move,
    _tell,
    confirm_days,
    officers,
)

_SALT = "accord.membership.concern-link"


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


# The same concern sent again this soon after is the same concern.
RESENT_WITHIN = datetime.timedelta(minutes=10)


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
        # A second send of the same form (a double click, a resubmit) finds the first: the
        # member's row is locked so that two at once cannot both create one.
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        same = Concern.objects.filter(
            membership=membership,
            subject=subject,
            raised_at__gte=timezone.now() - RESENT_WITHIN,
            state__in=[S.UNCONFIRMED, S.OPEN],
        )
        same = (
            same.filter(raiser_email__iexact=data["raiser_email"].strip())
            if public
            else (same.filter(raised_by=actor))
        )
        if (earlier := same.first()) is not None:
            return earlier
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
