"""The monthly report: the dashboard's key figures e-mailed once a month to each person who
turned it on and may still see a dashboard.

`set_subscription` turns it on or off (the person themselves, audited). `send_monthly_reports`
runs daily with the other jobs (`manage.py send_monthly_reports`): the first run of each
calendar month sends each subscriber one e-mail, through the outbox (so a refused delivery is
tried again), with the figures of their own scope as of that day; later runs that month find it
sent (`SentReport`, one per person and month) and send nothing. Whether the person may still
see a dashboard is read when it is sent: someone whose role ended gets nothing, and gets it
again if the role comes back. A report with no figures is never sent.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accord.accounts import emails
from accord.accounts.models import User
from accord.core import audit, mail
from accord.core.errors import DomainError
from accord.organisations.models import Association, District

from .models import ReportSubscription, SentReport
from .rules import DASHBOARD_ROLES, DashboardScope, can_see_dashboard, dashboard_scope
from .selectors import KeyFigure, key_figures

logger = logging.getLogger(__name__)

REPORT_NAME = "Monthly report of the dashboard's key figures"


class ReportError(DomainError):
    """The monthly report cannot be turned on or off as asked."""


def is_subscribed(user: User) -> bool:
    return ReportSubscription.objects.filter(user=user).exists()


def set_subscription(user: User, *, subscribed: bool, actor: User) -> bool:
    """Turn `user`'s monthly report on or off; only they may. Turning it on needs a dashboard
    to report on; turning it off is always allowed. Returns whether anything changed; a change
    is audited on the person."""
    if actor.pk != user.pk:
        raise ReportError("People turn their own monthly report on or off.")
    if subscribed and not can_see_dashboard(user):
        raise ReportError(
            "The monthly report is for people who may see a dashboard: national officers, "
            "auditors, local secretaries and NEMs.",
            field="subscribed",
        )
    with transaction.atomic():
        # The person's row, locked: two requests at once change the choice once.
        User.objects.select_for_update().get(pk=user.pk)
        before = ReportSubscription.objects.filter(user=user).exists()
        if before == subscribed:
            return False
        if subscribed:
            ReportSubscription.objects.create(user=user)
        else:
            ReportSubscription.objects.filter(user=user).delete()
        audit.log_action(
            user,
            "person.monthly_report",
            actor=actor,
            summary=f"{actor} turned {'on' if subscribed else 'off'} their monthly report",
            context=audit.context_of(user),
            changes={REPORT_NAME: ["Off" if subscribed else "On", "On" if subscribed else "Off"]},
        )
    return True


@dataclass
class ReportRun:
    """What one run did: reports sent, and subscribers passed over because they may no
    longer see a dashboard."""

    sent: int = 0
    not_allowed: int = 0


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def due(month: datetime.date) -> list[ReportSubscription]:
    """The subscriptions of active people not yet sent this month's report."""
    already = SentReport.objects.filter(user=OuterRef("user"), month=month)
    return list(
        ReportSubscription.objects.filter(user__is_active=True)
        .filter(~Exists(already))
        .select_related("user")
        .order_by("user_id")
    )


def send_monthly_reports(today: datetime.date | None = None) -> ReportRun:
    """Send this month's report to every subscriber who has not had it, each in its own
    transaction (one failure loses only that one)."""
    today = today or timezone.localdate()
    month = month_of(today)
    run = ReportRun()
    for subscription in due(month):
        user = subscription.user
        scope = dashboard_scope(user)
        if not scope.reaches:
            run.not_allowed += 1
            logger.info("No monthly report for person %s: they may not see a dashboard", user.pk)
            continue
        figures = key_figures(scope, today)
        if not figures:
            logger.info("No monthly report for person %s: no figures", user.pk)
            continue
        if _send(user, scope, figures, today, month):
            run.sent += 1
    return run


def _send(
    user: User,
    scope: DashboardScope,
    figures: list[KeyFigure],
    today: datetime.date,
    month: datetime.date,
) -> bool:
    sent_figures = [{"label": f.label, "value": f.value} for f in figures]
    try:
        with transaction.atomic():
            # Claimed first: a run at the same moment fails here and sends nothing.
            sent = SentReport.objects.create(user=user, month=month, figures=sent_figures)
            composed = mail.compose(
                subject=f"Your monthly report for {month:%B %Y}",
                template="dashboards/email/monthly_report",
                context=_context(scope, figures, today),
                name=user.get_full_name(),
                reason=f"you turned on the monthly report ({emails.reason(user, DASHBOARD_ROLES)})",
                preferences=False,
            )
            sent.message = mail.queue(to=user.email, composed=composed)
            sent.save(update_fields=["message"])
            audit.record(
                [
                    audit.Event(
                        action="report.sent",
                        summary=f"Monthly report for {month:%B %Y} sent to {user}",
                        target=sent,
                        context=audit.context_of(user),
                        changes={"figures": [None, sent_figures]},
                        internal=True,
                    )
                ]
            )
    except IntegrityError:
        logger.info("The monthly report for person %s was sent by another run", user.pk)
        return False
    logger.info("Monthly report for %s sent to person %s", f"{month:%Y-%m}", user.pk)
    return True


def _context(
    scope: DashboardScope, figures: list[KeyFigure], today: datetime.date
) -> dict[str, object]:
    site = settings.SITE_URL
    return {
        "figures": [
            {
                "label": f.label,
                "value": f"{f.value:,}",
                "url": f"{site}{f.link}" if f.link.startswith("/") else f.link,
            }
            for f in figures
        ],
        "today": today,
        "where": where(scope),
        "dashboard_url": site + reverse("dashboard"),
        "report_url": site + reverse("dashboard-report"),
    }


def where(scope: DashboardScope) -> str:
    """What the figures cover, in words: "nationwide", or the associations and districts."""
    if scope.nationwide:
        return "nationwide"
    names = sorted(
        Association.objects.filter(pk__in=scope.association_ids).values_list("name", flat=True)
    ) + sorted(District.objects.filter(pk__in=scope.district_ids).values_list("name", flat=True))
    if not names:
        return "in your area"
    return "in " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")
