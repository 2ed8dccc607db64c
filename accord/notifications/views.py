"""The task list everyone lands on after signing in, and each user's calendar feed: a secret
address, revocable, with their review and activity due dates from a month back to a year ahead."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from icalendar import Calendar, Event

from accord.accounts import rules
from accord.core import outbox, params
from accord.core.text import shorten
from accord.enrolments import rules as enrolment_rules
from accord.membership import selectors as membership_selectors

from . import selectors, start
from .models import CalendarFeed, new_token


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The start page: each role's part, then what else waits on the user."""
    waiting = selectors.steps_waiting(request.user)
    rows = [(e, steps, enrolment_rules.state_label(request.user, e)) for e, steps in waiting.rows]
    return render(
        request,
        "notifications/tasks.html",
        {
            "rows": rows,
            "start": start.build(request.user, rows, full=waiting.full),
            "member_tasks": selectors.member_tasks(request.user),
            "overdue": selectors.overdue_actions(request.user),
            "plan_actions": selectors.plan_actions_for(request.user),
            "unattended": selectors.unattended(request.user),
            "escalations": selectors.escalations_for(request.user),
            "concern_tasks": membership_selectors.concern_tasks(request.user),
            "shown": selectors.SHOWN,
        },
    )


# The full lists behind the task page's shortened ones, a page at a time.
LIST_PAGE_SIZE = 50
TASK_LISTS = {
    "members": "Members: reviews and cycles",
    "overdue": "Overdue activities",
}


@login_required
def task_list(request: HttpRequest, kind: str) -> HttpResponse:
    """One of the task page's lists in full, LIST_PAGE_SIZE rows a page (`?page=`)."""
    if kind not in TASK_LISTS:
        raise Http404("No such list.")
    number = params.page_param(request.GET.get("page"))
    offset = (number - 1) * LIST_PAGE_SIZE
    if kind == "members":
        found = selectors.member_tasks(request.user, limit=LIST_PAGE_SIZE, offset=offset)
    else:
        found = selectors.overdue_actions(request.user, limit=LIST_PAGE_SIZE, offset=offset)
    return render(
        request,
        "notifications/task_list.html",
        {
            "kind": kind,
            "title": TASK_LISTS[kind],
            "found": found,
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if found.more else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    if request.method == "POST":
        feed.token = new_token()
        feed.save()
        messages.success(request, "Done: the old address no longer works; use the new one.")
        return redirect("calendar")
    url = f"{settings.SITE_URL}{reverse('calendar-feed', args=[feed.token])}"
    return render(request, "notifications/calendar.html", {"url": url})


# The page lists the most recent problems first; a backlog longer than this is an outage,
# better seen in the logs than paged through.
OUTBOX_PAGE_SIZE = 200


@login_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    """E-mails that failed: given up, or waiting to be tried again."""
    if not rules.can_manage_outbox(request.user):
        raise PermissionDenied("Only national officers see failed e-mails.")
    failed = outbox.OutboxMessage.objects.needing_attention()[:OUTBOX_PAGE_SIZE]
    return render(request, "notifications/outbox.html", {"messages_failed": failed})


@login_required
@require_http_methods(["POST"])
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_manage_outbox(request.user):
        raise PermissionDenied("Only national officers retry failed e-mails.")
    message = get_object_or_404(outbox.OutboxMessage, pk=pk)
    with transaction.atomic():
        outbox.retry(message)
    messages.success(request, f"The e-mail to {message.to} will be sent again shortly.")
    return redirect("outbox")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    ical = Calendar()
    ical.add("prodid", "-//Accord//Due dates//EN")
    ical.add("version", "2.0")
    ical.add("x-wr-calname", "Accord due dates")
    for cycle in selectors.calendar_reviews(feed.user, today):
        enrolment = cycle.enrolment
        ical.add_component(
            _event(
                f"review-{cycle.pk}-{cycle.ends_on:%Y%m%d}",
                cycle.ends_on,
                f"Review due: {enrolment.employer.name}, cycle {cycle.number}",
                enrolment.get_absolute_url(),
            )
        )
    for enrolment, action in selectors.calendar_activities(feed.user, today):
        ical.add_component(
            _event(
                f"action-{action.pk}",
                action.due_on,
                f"Activity due: {shorten(action.detail, 80)} ({enrolment.employer.name})",
                enrolment.get_absolute_url(),
            )
        )
    for action in selectors.calendar_plan_actions(feed.user):
        ical.add_component(
            _event(
                f"action-{action.pk}",
                action.due_on,
                f"Plan action due: {action.number}. {shorten(action.detail, 80)} "
                f"({action.plan.title})",
                action.get_absolute_url(),
            )
        )
    response = HttpResponse(ical.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="accord.ics"'
    return response


def _event(uid: str, day: datetime.date, summary: str, path: str) -> Event:
    """An all-day event: its UID on the site's own domain (RFC 5545), and its address both as the
    URL property and in the description, which is what most calendar programs show."""
    url = f"{settings.SITE_URL}{path}"
    event = Event()
    event.add("uid", f"{uid}@{urlsplit(settings.SITE_URL).hostname or 'accord'}")
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{summary}\n\nOpen it in Accord: {url}")
    event.add("url", url)
    return event
