"""Each user's calendar feed: a secret address, revocable, with their review and activity
due dates from a month back to a year ahead."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from icalendar import Calendar, Event

from . import selectors
from .models import CalendarFeed, new_token


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
                f"Activity due: {action.detail[:80]} ({enrolment.employer.name})",
                enrolment.get_absolute_url(),
            )
        )
    for action in selectors.plan_actions_for(feed.user, within_days=None):
        ical.add_component(
            _event(
                f"action-{action.pk}",
                action.due_on,
                f"Plan action due: {action.number}. {action.detail[:80]} ({action.plan.title})",
                action.get_absolute_url(),
            )
        )
    response = HttpResponse(ical.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="accord.ics"'
    return response


def _event(uid: str, day: datetime.date, summary: str, path: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@accord")
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", f"{settings.SITE_URL}{path}")
    return event
