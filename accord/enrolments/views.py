"""Pages of the joining process: the enrolment list and page, a form per step, documents."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.core.pages import form_page, posted
from accord.membership import cycles as cycle_rules
from accord.membership import services as membership_services
from accord.membership import views as membership_views
from accord.membership.models import Membership
from accord.organisations import selectors as organisation_selectors
from accord.schemes.models import Scheme

from . import diagram, documents, selectors, services
from .filters import EnrolmentFilter
from .forms import form_class
from .models import Enrolment
from .process import (
    INTERNAL_CLOSURES,
    MAIN_PATH,
    STEPS,
    STEPS_BY_NAME,
    State,
    position_on_path,
    step,
)


def _enrolment_for(request: HttpRequest, pk: int) -> Enrolment:
    try:
        enrolment = selectors.enrolment_detail(pk)
    except Enrolment.DoesNotExist as exc:
        raise Http404("No such enrolment.") from exc
    if not rules.can_view_enrolment(request.user, enrolment):
        raise PermissionDenied("You do not have access to this enrolment.")
    return enrolment


@login_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    filters = EnrolmentFilter(request.GET, user=request.user)
    queryset = filters.apply(
        selectors.visible_enrolments(request.user).order_by("state_changed_at", "id")
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = [(e, rules.state_label(request.user, e)) for e in page.object_list]
    values = filters.values()
    return render(
        request,
        "enrolments/enrolment_list.html",
        {
            "page": page,
            "rows": rows,
            "states": filters.fields["state"].choices[1:],
            "state": values["state"],
            "q": values["q"],
            "querystring": urlencode({k: v for k, v in values.items() if v}),
        },
    )


def _path_rows(enrolment: Enrolment) -> list[dict]:
    """The main path as a task list: done, current, or to come."""
    here = position_on_path(enrolment.state_enum)
    rows = []
    for index, state in enumerate(MAIN_PATH):
        if here is None:
            status = "Not reached"
        elif index < here or (index == here and state == State.LISTED):
            status = "Done"
        elif index == here:
            status = "Current"
        else:
            status = "To come"
        rows.append({"state": state, "status": status})
    return rows


@login_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment_for(request, pk)
    internal = rules.can_see_internal(request.user, enrolment)
    available = [s for s in STEPS if rules.can_take_step(request.user, enrolment, s)]
    membership = Membership.objects.filter(enrolment=enrolment).first()
    all_cycles = sorted(enrolment.cycles.all(), key=lambda c: c.number)
    context = {
        "cycles": all_cycles,
        "cycle_actions": cycle_rules.cycle_actions(request.user, enrolment),
        "principles_met": cycle_rules.principles_met(enrolment) if membership else [],
        "enrolment": enrolment,
        "membership": membership,
        "policy_checks": list(membership.policy_checks.all()) if membership else [],
        "may_log_policy": membership is not None and rules.can_log_policy(request.user, enrolment),
        "may_manage_membership": membership is not None
        and rules.can_manage_membership(request.user, membership),
        "status_changes": [
            (change, title)
            for change, title in membership_views.TITLES.items()
            if membership is not None
            and membership.status in membership_services.STATUS_CHANGES[change][0]
        ],
        "state_label": rules.state_label(request.user, enrolment),
        "internal": internal,
        "tasks": [s for s in available if s.task],
        "other_steps": [s for s in available if not s.task],
        "timeline": selectors.timeline(enrolment, include_internal=internal),
        "path": _path_rows(enrolment),
        "documents": internal and documents.available(enrolment),
        "partner_rows": [
            (union, enrolment.positions_by_union.get(union.pk))
            for union in enrolment.scheme.partner_unions.all()
        ]
        if internal
        else [],
    }
    return render(request, "enrolments/enrolment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def take_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in STEPS_BY_NAME or name == "propose":
        raise Http404("No such step.")
    the_step = step(name)
    enrolment = _enrolment_for(request, pk)
    allowed = rules.step_assignments(request.user, enrolment, the_step)
    if not allowed:
        raise PermissionDenied(f"“{the_step.label}” is not yours to take on this enrolment now.")
    form = form_class(the_step.form)(
        posted(request), enrolment=enrolment, user=request.user, assignment=allowed[0]
    )
    return form_page(
        request,
        form,
        lambda data: services.take_step(
            enrolment, the_step, actor=request.user, data=form.step_data()
        ),
        done=the_step.label.lower(),
        then=lambda result: result,
        template="enrolments/step_form.html",
        context={
            "enrolment": enrolment,
            "step": the_step,
            "internal": rules.can_see_internal(request.user, enrolment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, employer_pk: int) -> HttpResponse:
    employer = get_object_or_404(organisation_selectors.employers(), pk=employer_pk)
    the_step = step("propose")
    if not any(rules.can_propose(request.user, employer, s) for s in Scheme.objects.with_unions()):
        raise PermissionDenied("You may not propose this employer.")
    form = form_class(the_step.form)(posted(request), enrolment=None, user=request.user)

    def propose_it(data: dict) -> Enrolment:
        data = form.step_data()
        return services.propose(
            scheme=data["scheme"], employer=employer, actor=request.user, data=data
        )

    return form_page(
        request,
        form,
        propose_it,
        done=the_step.label.lower(),
        then=lambda result: result,
        template="enrolments/step_form.html",
        context={"employer": employer, "step": the_step},
    )


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    from accord.notifications import selectors as task_selectors

    waiting = selectors.waiting_for(request.user)
    rows = [(e, steps, rules.state_label(request.user, e)) for e, steps in waiting]
    members = task_selectors.members_in_scope(request.user)
    return render(
        request,
        "enrolments/tasks.html",
        {
            "rows": rows,
            "member_tasks": task_selectors.member_tasks(request.user, members),
            "overdue": task_selectors.overdue_actions(members),
            "plan_actions": task_selectors.plan_actions_for(request.user),
        },
    )


def _documents_for(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = _enrolment_for(request, pk)
    if not rules.can_see_internal(request.user, enrolment) or not documents.available(enrolment):
        raise PermissionDenied("The approach documents are for the unions, once agreed.")
    return enrolment


@login_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _documents_for(request, pk)
    return render(
        request,
        "enrolments/letter.html",
        {"enrolment": enrolment, "letter": documents.letter(enrolment)},
    )


@login_required
def letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _documents_for(request, pk)
    response = HttpResponse(
        documents.letter_docx(enrolment),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"joint-letter-{enrolment.employer.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _documents_for(request, pk)
    return render(
        request,
        "enrolments/agenda_item.html",
        {"enrolment": enrolment, "item": documents.agenda_item(enrolment)},
    )


@login_required
def enrolment_diagram(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment_for(request, pk)
    current = enrolment.state_enum
    if not rules.can_see_internal(request.user, enrolment) and current in INTERNAL_CLOSURES:
        current = None
    return HttpResponse(diagram.render_svg(current), content_type="image/svg+xml")


def process_diagram(request: HttpRequest) -> HttpResponse:
    return HttpResponse(diagram.render_svg(None), content_type="image/svg+xml")


def process_page(request: HttpRequest) -> HttpResponse:
    return render(request, "enrolments/process.html", {"steps": STEPS, "path": MAIN_PATH})
