"""The page where a person who may see a dashboard turns its monthly e-mail on or off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accord.core.forms import AccordForm
from accord.core.pages import attach_error, posted

from . import report
from .rules import can_see_dashboard, dashboard_scope


class ReportForm(AccordForm):
    subscribed = forms.TypedChoiceField(
        label="Do you want the monthly report by e-mail?",
        choices=[("yes", "Yes, e-mail me the key figures once a month"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you want the monthly report.",
            "invalid_choice": "Choose yes or no for the monthly report.",
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own monthly report: whether it is on, what it holds, where it
    goes. Like the e-mail preferences, it reads and writes only the person signed in."""
    user = request.user
    if not can_see_dashboard(user):
        raise PermissionDenied("The monthly report is for people who may see a dashboard.")
    subscribed = report.is_subscribed(user)
    form = ReportForm(posted(request), initial={"subscribed": "yes" if subscribed else "no"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            wanted = form.cleaned_data["subscribed"]
            try:
                changed = report.set_subscription(user, subscribed=wanted, actor=user)
            except report.ReportError as error:
                attach_error(form, error)
            else:
                if not changed:
                    text = "Nothing to change: your monthly report was already so."
                elif wanted:
                    text = "Your monthly report is on: it comes at the start of each month."
                else:
                    text = "Your monthly report is off."
                messages.success(request, text)
                return redirect("dashboard-report")
        status = 400
    context: dict[str, Any] = {
        "form": form,
        "subscribed": subscribed,
        "where": report.where(dashboard_scope(user)),
    }
    return render(request, "dashboards/monthly_report.html", context, status=status)
