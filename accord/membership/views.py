"""The enrolment page, which shows the joining process and the membership that follows it, and
national officers' pages for a membership's status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted
from accord.core.params import page_param
from accord.enrolments import documents, summary
from accord.enrolments import rules as enrolment_rules
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.models import Enrolment
from accord.enrolments.process import (
    EMPLOYER_LABELS,
    MAIN_PATH,
    STEPS,
    State,
    position_on_path,
)
from accord.enrolments.views import enrolment_for

from . import cycles as cycle_rules
from . import employer_voice, lapse, rules, selectors, services
from .forms import LapseDecisionForm, StatusChangeForm
from .models import LapseDecision, Membership, MembershipStatus

TITLES = {
    "suspend": "Suspend the membership",
    "withdraw": "Withdraw the membership",
    "reinstate": "Reinstate the membership",
}


def _path_rows(enrolment: Enrolment, *, employer_words: bool = False) -> list[dict]:
    """The main path as a task list: done, current, or to come. In an employer's words the
    unions' deliberations are one row."""
    here = position_on_path(enrolment.state_enum)
    rows: list[dict] = []
    for index, state in enumerate(MAIN_PATH):
        label = EMPLOYER_LABELS[state] if employer_words else state.label
        if here is None:
            status = "Not reached"
        elif index < here or (index == here and state == State.LISTED):
            status = "Done"
        elif index == here:
            status = "Current"
        else:
            status = "To come"
        if rows and rows[-1]["label"] == label:
            if status == "Current" or rows[-1]["status"] == "Not reached":
                rows[-1]["status"] = status
            continue
        rows.append({"state": state, "label": label, "status": status})
    return rows


@login_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_for(request, pk, load=selectors.enrolment_page)
    internal = enrolment_rules.can_see_internal(request.user, enrolment)
    available = [s for s in STEPS if enrolment_rules.can_take_step(request.user, enrolment, s)]
    membership = selectors.loaded_membership(enrolment)
    all_cycles = sorted(enrolment.cycles.all(), key=lambda c: c.number)
    timeline = enrolment_selectors.timeline_window(
        enrolment,
        include_internal=internal,
        number=page_param(request.GET.get("history")),
    )
    for event in timeline.events:
        event.shown_note = enrolment_rules.shown_note(request.user, enrolment, event)
    reads_view = rules.can_read_employer_view(request.user, enrolment)
    open_number = employer_voice.open_number(enrolment)
    views = employer_voice.views_of(enrolment) if reads_view else {}
    context = {
        "employer_views": employer_voice.comparisons(enrolment, views),
        "employer_view_numbers": list(views),
        "employer_view_open": open_number if open_number is not None and reads_view else None,
        "may_edit_employer_view": rules.can_edit_employer_view(request.user, enrolment),
        "cycles": all_cycles,
        "cycle_actions": cycle_rules.cycle_actions(request.user, enrolment),
        "principles_met": cycle_rules.principles_met(enrolment) if membership else [],
        "enrolment": enrolment,
        "initial_meetings": enrolment_selectors.initial_meetings(enrolment) if internal else [],
        "materials_sent": enrolment_selectors.materials_sent_titles(enrolment),
        "membership": membership,
        "policy_checks": selectors.loaded_policy_checks(enrolment) if membership else [],
        "may_log_policy": membership is not None and rules.can_log_policy(request.user, enrolment),
        "may_raise_concern": membership is not None
        and membership.status != MembershipStatus.WITHDRAWN
        and not rules.can_confirm_for_employer(request.user, enrolment),
        "may_manage_membership": membership is not None
        and rules.can_manage_membership(request.user, membership),
        # Shown to the national officers, who take the decisions; the others are told of them
        # by reminder, and see a lapse in the status.
        "lapse_decisions": selectors.loaded_lapse_decisions(enrolment)
        if membership is not None and rules.can_manage_membership(request.user, membership)
        else [],
        "status_changes": [
            (change, title)
            for change, title in TITLES.items()
            if membership is not None and membership.status in services.STATUS_CHANGES[change][0]
        ],
        "state_label": enrolment_rules.state_label(request.user, enrolment),
        "internal": internal,
        "tasks": [s for s in available if s.task],
        "other_steps": [s for s in available if not s.task],
        "timeline": timeline.events,
        "timeline_window": timeline,
        "path": _path_rows(enrolment, employer_words=not internal),
        "where": summary.where_now(request.user, enrolment),
        "documents": internal and documents.available(enrolment),
        "partner_rows": enrolment_rules.shown_positions(request.user, enrolment)
        if internal
        else [],
        "shows_closed_reason": enrolment_rules.can_see_closed_reason(request.user, enrolment),
    }
    return render(request, "enrolments/enrolment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, pk: int, change: str) -> HttpResponse:
    if change not in services.STATUS_CHANGES:
        raise Http404("No such change.")
    membership = get_object_or_404(
        Membership.objects.select_related("scheme", "employer", "enrolment"), pk=pk
    )
    if not rules.can_manage_membership(request.user, membership):
        raise PermissionDenied("Only a national officer of the scheme may change a membership.")
    sources, target, _ = services.STATUS_CHANGES[change]
    if membership.status not in sources:
        messages.error(
            request, f"The membership is {membership.get_status_display().lower()} already."
        )
        return redirect(membership.enrolment)
    leaving = target != MembershipStatus.ACTIVE
    return form_page(
        request,
        StatusChangeForm(posted(request), leaving=leaving),
        lambda data: services.change_status(membership, change, actor=request.user, **data),
        done=TITLES[change].lower(),
        then=lambda result: membership.enrolment,
        template="membership/status_form.html",
        context={"membership": membership, "title": TITLES[change], "leaving": leaving},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lapse_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """A review overdue beyond the grace period: the national officer extends or lapses."""
    decision = get_object_or_404(
        LapseDecision.objects.select_related(
            "membership__scheme",
            "membership__employer",
            "membership__enrolment",
            "cycle__principle_version__principle",
            "decided_by",
        ),
        pk=pk,
    )
    membership = decision.membership
    if not rules.can_manage_membership(request.user, membership):
        raise PermissionDenied("Only a national officer of the scheme decides on a lapse.")
    context = {
        "decision": decision,
        "membership": membership,
        "grace_months": membership.scheme.lapse_grace_months,
        "may_decide": decision.is_open and membership.status == MembershipStatus.ACTIVE,
    }
    return form_page(
        request,
        LapseDecisionForm(posted(request)),
        lambda data: lapse.decide(decision, actor=request.user, **data),
        done="decision recorded",
        then=lambda result: membership.enrolment,
        template="membership/lapse_decision.html",
        context=context,
    )
