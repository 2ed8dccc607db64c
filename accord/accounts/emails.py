"""E-mail to people with an account: why they receive it, and when. Each kind of optional
e-mail goes at once or waits for the person's daily or weekly digest, as they choose on their
e-mail preferences page; the daily run (`manage.py send_reminders`) bundles what waits."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accord.core import audit, mail
from accord.core.outbox import OutboxMessage

from .models import (
    EMAIL_KIND_ROLES,
    EmailKind,
    EmailPreference,
    Frequency,
    HeldEmail,
    Role,
    RoleAssignment,
    User,
)

logger = logging.getLogger(__name__)

# How the footer names a role: "you are the local secretary for NASUWT, Manchester".
ROLE_WORDS = {
    Role.WORKPLACE_REP: "a workplace representative",
    Role.LOCAL_SECRETARY: "the local secretary",
    Role.NEM: "the National Executive Member",
    Role.PARTNER_REP: "a partner-union representative",
    Role.NATIONAL_OFFICER: "a national officer",
    Role.EMPLOYER_CONTACT: "a contact",
    Role.PLAN_OWNER: "an owner of the action plan",
    Role.PLAN_MEMBER: "a member of the action plan",
    Role.AUDITOR: "an auditor",
}


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def reason(user: User, roles: Iterable[str] | None = None) -> str:
    """Why `user` receives an e-mail sent to holders of `roles` (any role if None): "you are
    the local secretary for NASUWT, Manchester", from the roles they hold today."""
    wanted = set(roles) if roles is not None else None
    held = [
        a
        for a in RoleAssignment.objects.filter(user=user)
        .select_related("union", "employer", "association", "district", "region", "plan", "party")
        .order_by("role", "id")
        if wanted is None or a.role in wanted
    ]
    if not held:
        return "you have an account in Accord"
    words = []
    for a in held:
        scope = a.scope_label
        words.append(ROLE_WORDS[a.role] + ("" if scope == "nationwide" else f" for {scope}"))
    return "you are " + _and(list(dict.fromkeys(words)))


def preferences(user: User) -> dict[str, str]:
    """Each kind of optional e-mail and how often `user` receives it."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, Frequency.AT_ONCE) for kind in EmailKind.values}


def kinds_for(user: User) -> list[EmailKind]:
    """The kinds of optional e-mail `user` can receive, from the roles they hold today: the
    only kinds their preferences page offers."""
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    return [kind for kind in EmailKind if held & EMAIL_KIND_ROLES[kind]]


def send(
    user: User,
    *,
    kind: EmailKind | None,
    subject: str,
    template: str,
    context: dict[str, Any],
    why: str,
) -> OutboxMessage | HeldEmail:
    """Send `user` an e-mail, in the caller's transaction: at once, or held for their digest
    when `kind` is one they chose to receive so. `kind` None is always sent at once
    (invitations, roles, passwords). `why` completes "You receive this because ..."."""
    frequency = Frequency.AT_ONCE
    if kind is not None:
        found = EmailPreference.objects.filter(user=user, kind=kind).first()
        frequency = Frequency(found.frequency) if found else Frequency.AT_ONCE
    context = {**context, "user": user}
    if frequency == Frequency.AT_ONCE:
        composed = mail.compose(
            subject=subject,
            template=template,
            context=context,
            name=user.get_full_name(),
            reason=why,
        )
        return mail.queue(to=user.email, composed=composed)
    text, html = mail.render(template, context)
    return HeldEmail.objects.create(
        user=user,
        kind=kind,
        frequency=frequency,
        subject=mail.subject_line(subject)[len(mail.PREFIX) :],
        text=text,
        html=html,
        reason=why[:500],
    )


def set_preferences(user: User, chosen: dict[str, str], *, actor: User) -> bool:
    """Record how often `user` receives each kind of e-mail; only they choose. E-mails already
    held go out with the next digest their new choice allows (the next daily run, when they
    now want them at once). Only the kinds their roles can receive are changed; others in
    `chosen` are ignored. Returns whether anything changed; every change is audited."""
    if actor.pk != user.pk:
        raise PermissionError("People choose their own e-mail preferences.")
    with transaction.atomic():
        before = preferences(User.objects.select_for_update().get(pk=user.pk))
        offered = set(kinds_for(user))
        after = {
            kind: Frequency(
                chosen.get(kind, before[kind]) if kind in offered else before[kind]
            ).value
            for kind in before
        }
        changed = {kind: f for kind, f in after.items() if f != before[kind]}
        if not changed:
            return False
        for kind, frequency in changed.items():
            EmailPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"frequency": frequency}
            )
            held = Frequency.DAILY if frequency == Frequency.AT_ONCE else frequency
            HeldEmail.objects.waiting().filter(user=user, kind=kind).update(frequency=held)
        audit.log_action(
            user,
            "person.email_preferences",
            actor=actor,
            summary=f"{actor} changed how often Accord e-mails them",
            context=audit.context_of(user),
            changes={
                EmailKind(kind).label: [
                    Frequency(before[kind]).label,
                    Frequency(after[kind]).label,
                ]
                for kind in changed
            },
        )
    return True


@dataclass
class DigestSummary:
    people: int = 0
    emails: int = 0


def _due(today: datetime.date) -> Q:
    """Held e-mails a run on `today` sends: the daily ones; the weekly ones on the weekly day,
    and on the days after it those held before it (a missed weekly run is made up)."""
    due = Q(frequency=Frequency.DAILY)
    if today.weekday() == settings.ACCORD_WEEKLY_DIGEST_DAY:
        return due | Q(frequency=Frequency.WEEKLY)
    since = (today.weekday() - settings.ACCORD_WEEKLY_DIGEST_DAY) % 7
    weekly_day = today - datetime.timedelta(days=since)
    start = timezone.make_aware(datetime.datetime.combine(weekly_day, datetime.time.min))
    return due | Q(frequency=Frequency.WEEKLY, created_at__lt=start)


def send_digests(today: datetime.date | None = None) -> DigestSummary:
    """Bundle the held e-mails that are due into one digest per person, each e-mail in exactly
    one digest: the digest is queued and the e-mails marked in one transaction, and only
    e-mails not yet marked are marked, so a second run (or two at once) sends nothing twice
    and a failed run loses nothing."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    due = _due(today)
    summary = DigestSummary()
    waiting = HeldEmail.objects.waiting().filter(due, created_at__lte=now)
    people = sorted(set(waiting.values_list("user_id", flat=True)))
    for user in User.objects.filter(pk__in=people, is_active=True).order_by("pk"):
        count = _send_digest(user, waiting, now)
        if count:
            summary.people += 1
            summary.emails += count
    return summary


class _Taken(Exception):
    """Another run bundled some of these e-mails first."""


def _send_digest(user: User, waiting: Any, now: datetime.datetime) -> int:
    try:
        with transaction.atomic():
            items = list(waiting.select_for_update().filter(user=user))
            if not items:
                return 0
            weekly = all(item.frequency == Frequency.WEEKLY for item in items)
            daily = all(item.frequency == Frequency.DAILY for item in items)
            which = "weekly " if weekly else "daily " if daily else ""
            count = len(items)
            kinds = _and(sorted({EmailKind(item.kind).label.lower() for item in items}))
            composed = mail.wrap(
                subject=f"Your {which}digest: {count} e-mail{'s' if count != 1 else ''}",
                **_digest_content(items),
                name=user.get_full_name(),
                reason=f"you chose {which}digests for {kinds}",
                what="this digest",
            )
            message = mail.queue(to=user.email, composed=composed)
            marked = (
                HeldEmail.objects.waiting()
                .filter(pk__in=[item.pk for item in items])
                .update(bundled_at=now, digest=message)
            )
            if marked != count:
                raise _Taken
    except _Taken:
        logger.info("The digest for %s was sent by another run", user.pk)
        return 0
    return count


def _digest_content(items: list[HeldEmail]) -> dict[str, str]:
    text, html = mail.render("accounts/email/digest", {"items": items})
    return {"text": text, "html": html}
