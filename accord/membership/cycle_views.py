"""Pages for reviews and cycles after joining."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.enrolments.forms import CommitmentForm
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.selectors import enrolment_detail

from . import cycles
from .cycle_forms import ConfirmForm, ReviewForm
from .models import Cycle, Review
from .services import MembershipError


def _member_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = get_object_or_404(Enrolment.objects.only("pk"), pk=pk)
    enrolment = enrolment_detail(enrolment.pk)
    if not rules.can_view_enrolment(request.user, enrolment):
        raise PermissionDenied("You do not have access to this enrolment.")
    if enrolment.state != State.LISTED:
        raise PermissionDenied("Reviews and new cycles are for listed members.")
    return enrolment


def _handle(
    request: HttpRequest,
    form: Any,
    action: Callable[[], Any],
    done: str,
    back: Enrolment,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Validate, act, and turn a rule's refusal into an error on its field."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                action()
            except MembershipError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"Done: {done}.")
                return redirect(back)
        status = 400
    return render(request, template, {**context, "form": form, "enrolment": back}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_review(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    enrolment = _member_enrolment(request, pk)
    if not rules.can_record_review(request.user, enrolment):
        raise PermissionDenied("Only the local secretary records the review.")
    cycle = get_object_or_404(Cycle, enrolment=enrolment, number=number)
    form = ReviewForm(request.POST or None, cycle=cycle)
    return _handle(
        request,
        form,
        lambda: cycles.record_review(cycle, actor=request.user, data=form.review_data()),
        f"review of cycle {number} recorded",
        enrolment,
        "membership/review_form.html",
        {"cycle": cycle, "title": f"Record the review of cycle {number}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("cycle"), pk=pk)
    enrolment = _member_enrolment(request, review.cycle.enrolment_id)
    if not rules.can_confirm_for_employer(request.user, enrolment):
        raise PermissionDenied("Only the employer's contact confirms for the employer.")
    form = ConfirmForm(request.POST or None)
    return _handle(
        request,
        form,
        lambda: cycles.confirm_review(review, actor=request.user),
        "review confirmed",
        enrolment,
        "membership/confirm_form.html",
        {
            "review": review,
            "cycle": review.cycle,
            "title": f"Confirm the review of cycle {review.cycle.number}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _member_enrolment(request, pk)
    if not rules.can_record_review(request.user, enrolment):
        raise PermissionDenied("Only the local secretary drafts the next cycle.")
    previous = cycles.latest_cycle(enrolment)
    rule, principle = cycles.next_cycle_rule(previous)
    if rule == "none":
        messages.error(request, "The current cycle's review must be confirmed first.")
        return redirect(enrolment)
    form = CommitmentForm(request.POST or None, enrolment=enrolment, user=request.user, cycle=None)
    if not form.is_bound:
        form.initial["starts_on"] = previous.ends_on + datetime.timedelta(days=1)
    suggestions = cycles.suggested_principles(enrolment)
    return _handle(
        request,
        form,
        lambda: cycles.start_next_cycle(enrolment, actor=request.user, data=form.step_data()),
        f"cycle {previous.number + 1} drafted",
        enrolment,
        "enrolments/step_form.html",
        {
            "step": {
                "label": f"Draft cycle {previous.number + 1}",
                "help": _rule_help(rule, principle, suggestions),
            }
        },
    )


def _rule_help(rule: str, principle: Any, suggestions: list[Any]) -> str:
    if rule == "different":
        others = ", ".join(f"{p.number} ({p.short_title})" for p in suggestions if p != principle)
        return (
            f"Principle {principle.number} was met: choose a different principle. "
            f"Not yet met: {others}."
        )
    return f"A revised objective on principle {principle.number}."


@login_required
@require_http_methods(["GET", "POST"])
def confirm_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    enrolment = _member_enrolment(request, cycle.enrolment_id)
    if not rules.can_confirm_for_employer(request.user, enrolment):
        raise PermissionDenied("Only the employer's contact confirms for the employer.")
    form = ConfirmForm(request.POST or None)
    return _handle(
        request,
        form,
        lambda: cycles.confirm_cycle(cycle, actor=request.user),
        f"cycle {cycle.number} confirmed",
        enrolment,
        "membership/confirm_form.html",
        {"cycle": cycle, "title": f"Confirm cycle {cycle.number}"},
    )
