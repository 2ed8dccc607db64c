"""Pages for reviews and cycles after joining."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.enrolments.views import enrolment_for

from . import cosigning, cycles, employer_voice, rules, services
from .cycle_forms import (
    CommitmentForm,
    ConfirmForm,
    CosignForm,
    EmployerViewForm,
    ReviewConfirmForm,
    ReviewForm,
)
from .models import Cycle, NextCycleRule, Review
from .selectors import member_detail, with_cycles


def _member_enrolment(request: HttpRequest, pk: int, *, by: str = "pk") -> Enrolment:
    """The member's enrolment `pk`, or the one whose cycle or review (`by`) is `pk`."""
    load = member_detail if by == "pk" else (lambda key: member_detail(**{by: key}))
    enrolment = enrolment_for(request, pk, load=load)
    if enrolment.state != State.LISTED:
        raise PermissionDenied("Reviews and new cycles are for listed members.")
    return enrolment


def _loaded_cycle(enrolment: Enrolment, **match: int) -> Cycle:
    """The enrolment's cycle whose fields are `match`, from those read with it, or 404."""
    for cycle in enrolment.cycles.all():
        if all(getattr(cycle, name) == value for name, value in match.items()):
            return cycle
    raise Http404("No such cycle.")


def _member_cycle(request: HttpRequest, pk: int) -> tuple[Enrolment, Cycle]:
    """Cycle `pk` as read with its member's enrolment in full, or 404."""
    enrolment = _member_enrolment(request, pk, by="cycles__pk")
    return enrolment, _loaded_cycle(enrolment, pk=pk)


def _member_review(request: HttpRequest, pk: int) -> tuple[Enrolment, Cycle, Review]:
    """Review `pk` as read with its member's enrolment, with its cycle's activities and its
    objectives, or 404."""
    enrolment = _member_enrolment(request, pk, by="cycles__reviews__pk")
    for cycle in enrolment.cycles.all():
        for review in cycle.reviews.all():
            if review.pk == pk:
                return enrolment, cycle, review
    raise Http404("No such review.")


@login_required
@require_http_methods(["GET", "POST"])
def record_review(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    enrolment = _member_enrolment(request, pk)
    if not rules.can_record_review(request.user, enrolment):
        raise PermissionDenied("Only the local secretary records the review.")
    cycle = _loaded_cycle(enrolment, number=number)
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
    enrolment, cycle, review = _member_review(request, pk)
    if not rules.can_confirm_for_employer(request.user, enrolment):
        raise PermissionDenied("Only the employer's contact confirms for the employer.")
    form = ReviewConfirmForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: cycles.confirm_review(
            review, actor=request.user, comment=data.get("comment", "")
        ),
        done="review confirmed",
        then=lambda result: enrolment,
        template="membership/confirm_form.html",
        context={
            "enrolment": enrolment,
            "review": review,
            "cycle": cycle,
            "title": f"Confirm the review of cycle {cycle.number}",
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
    suggestions = cycles.suggested_principles(
        enrolment, [version.principle for version in form.principles]
    )
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
    enrolment, cycle = _member_cycle(request, pk)
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


@login_required
@require_http_methods(["GET", "POST"])
def cosign_review(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment, cycle, review = _member_review(request, pk)
    if not rules.unions_to_cosign(
        request.user, enrolment, services.pending_unions(enrolment, review)
    ):
        raise PermissionDenied("The review is not waiting for your union's co-signature.")
    form = CosignForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: cosigning.cosign_review(review, actor=request.user),
        done="review co-signed",
        then=lambda result: enrolment,
        template="membership/confirm_form.html",
        context={
            "enrolment": enrolment,
            "review": review,
            "cycle": cycle,
            "title": f"Co-sign the review of cycle {cycle.number}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cosign_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment, cycle = _member_cycle(request, pk)
    if cycle.number == 1 or not rules.unions_to_cosign(
        request.user, enrolment, services.pending_unions(enrolment, cycle)
    ):
        raise PermissionDenied("The cycle is not waiting for your union's co-signature.")
    form = CosignForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: cosigning.cosign_cycle(cycle, actor=request.user),
        done=f"cycle {cycle.number} co-signed",
        then=lambda result: enrolment,
        template="membership/confirm_form.html",
        context={"enrolment": enrolment, "cycle": cycle, "title": f"Co-sign cycle {cycle.number}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def employer_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The employer's priorities and self-assessment for cycle `number`: its contact enters and
    changes them while they are open; the unions' people at the employer read them."""
    enrolment = enrolment_for(request, pk, load=with_cycles)
    if not rules.can_read_employer_view(request.user, enrolment):
        raise PermissionDenied("The employer's view is for the employer and its unions.")
    editor = rules.can_edit_employer_view(request.user, enrolment)
    if request.method == "POST" and not editor:
        raise PermissionDenied("Only the employer's contact enters the employer's view.")
    view = employer_voice.view_for(enrolment, number)
    is_open = employer_voice.open_number(enrolment) == number
    if view is None and not is_open:
        raise Http404("No view of the employer for this cycle.")
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "number": number,
        "view": view,
        "is_open": is_open,
        "title": f"Your priorities and self-assessment for {_cycle_words(number)}"
        if editor
        else f"The employer's view for {_cycle_words(number)}",
    }
    if not editor or not (is_open or request.method == "POST"):
        if editor:
            context["closed"] = employer_voice.closed_message(number)
        return render(request, "membership/employer_view.html", context)
    principles = enrolment.scheme.current_principles()
    prior = {item.principle_version_id: item for item in view.loaded} if view else {}
    form = EmployerViewForm(
        posted(request),
        principles=principles,
        prior=prior,
        initial={"priorities": view.priorities if view else ""},
    )
    return form_page(
        request,
        form,
        lambda data: employer_voice.save_view(
            enrolment, number, actor=request.user, data=form.view_data()
        ),
        done="your priorities and self-assessment saved",
        then=lambda result: enrolment,
        template="membership/employer_view.html",
        context=context,
    )


def _cycle_words(number: int) -> str:
    return "the commitment (cycle 1)" if number == 1 else f"cycle {number}"
