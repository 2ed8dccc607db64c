"""Pages for reviews and cycles after joining."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.views import enrolment_for

from . import cycles, rules
from .cycle_forms import CommitmentForm, ConfirmForm, ReviewForm
from .models import Cycle, NextCycleRule, Review
from .selectors import enrolment_detail


def _member_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = enrolment_for(request, pk, load=enrolment_detail)
    if enrolment.state != State.LISTED:
        raise PermissionDenied("Reviews and new cycles are for listed members.")
    return enrolment


@login_required
@require_http_methods(["GET", "POST"])
def record_review(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    enrolment = _member_enrolment(request, pk)
    if not rules.can_record_review(request.user, enrolment):
        raise PermissionDenied("Only the local secretary records the review.")
    cycle = get_object_or_404(Cycle, enrolment=enrolment, number=number)
    form = ReviewForm(posted(request), cycle=cycle)
    return form_page(
        request,
        form,
        lambda data: cycles.record_review(cycle, actor=request.user, data=form.review_data()),
        done=f"review of cycle {number} recorded",
        then=lambda result: enrolment,
        template="membership/review_form.html",
        context={
            "enrolment": enrolment,
            "cycle": cycle,
            "title": f"Record the review of cycle {number}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("cycle"), pk=pk)
    enrolment = _member_enrolment(request, review.cycle.enrolment_id)
    if not rules.can_confirm_for_employer(request.user, enrolment):
        raise PermissionDenied("Only the employer's contact confirms for the employer.")
    form = ConfirmForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: cycles.confirm_review(review, actor=request.user),
        done="review confirmed",
        then=lambda result: enrolment,
        template="membership/confirm_form.html",
        context={
            "enrolment": enrolment,
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
    if rule == NextCycleRule.NONE:
        messages.error(request, "The current cycle's review must be confirmed first.")
        return redirect(enrolment)
    form = CommitmentForm(posted(request), enrolment=enrolment, user=request.user, cycle=None)
    if not form.is_bound:
        form.initial["starts_on"] = previous.ends_on + datetime.timedelta(days=1)
    suggestions = cycles.suggested_principles(enrolment)
    return form_page(
        request,
        form,
        lambda data: cycles.start_next_cycle(enrolment, actor=request.user, data=form.step_data()),
        done=f"cycle {previous.number + 1} drafted",
        then=lambda result: enrolment,
        template="enrolments/step_form.html",
        context={
            "enrolment": enrolment,
            "step": {
                "label": f"Draft cycle {previous.number + 1}",
                "help": _rule_help(rule, principle, suggestions),
            },
        },
    )


def _rule_help(rule: NextCycleRule, principle: Any, suggestions: list[Any]) -> str:
    if rule == NextCycleRule.DIFFERENT:
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
    form = ConfirmForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: cycles.confirm_cycle(cycle, actor=request.user),
        done=f"cycle {cycle.number} confirmed",
        then=lambda result: enrolment,
        template="membership/confirm_form.html",
        context={"enrolment": enrolment, "cycle": cycle, "title": f"Confirm cycle {cycle.number}"},
    )
