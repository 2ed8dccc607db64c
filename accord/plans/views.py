"""Plan pages: the list, the overview (themes, commitments, workplan with filters and a
timeline), exports, a printable view, editing actions, reviews, and importing with a preview."""

from __future__ import annotations

import datetime
from operator import attrgetter, methodcaller
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.actions import rules as action_rules
from accord.actions.models import Action, ActionStatus, ProgressUpdate
from accord.core import exports
from accord.core.pages import form_page, posted, posted_files
from accord.core.params import choice_param, id_param
from accord.core.uploads import accepts_files

from . import chart, selectors, services
from .forms import ActionForm, PlanForm, ReviewForm, UploadForm
from .models import Plan, PlanImport
from .tables import posted_corrections

WORKPLAN_PAGE = 50


def _plan_for(request: HttpRequest, pk: int) -> Plan:
    try:
        plan = selectors.plan_overview(pk)
    except Plan.DoesNotExist:
        raise Http404("No such plan.") from None
    if not rules.can_view_plan(request.user, plan):
        raise PermissionDenied("You do not have access to this plan.")
    return plan


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": selectors.visible_plans(request.user),
            "may_import": rules.can_import_plans(request.user),
            "downloads": exports.download_links("plans-export"),
        },
    )


PLANS_EXPORT = exports.Table(
    "Plans",
    [
        exports.Column("Plan", attrgetter("title")),
        exports.Column("Parties", lambda plan: ", ".join(p.name for p in plan.parties.all())),
        exports.Column("Agreed", attrgetter("date_wording")),
        exports.Column("Adopted on", attrgetter("adopted_on")),
        exports.Column("Status", methodcaller("get_status_display")),
        exports.Column("Next review", attrgetter("next_review_on")),
        exports.Column("Actions", attrgetter("actions_count")),
        exports.Column("Done", attrgetter("actions_done")),
        exports.Column("Open", attrgetter("actions_open")),
        exports.Column("Overdue", attrgetter("actions_overdue")),
    ],
)


@login_required
def plans_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Every plan the list shows its reader, in its order, as CSV or XLSX, with how many of
    its actions are done, open and overdue today."""
    plans = selectors.with_action_counts(selectors.visible_plans(request.user))
    return PLANS_EXPORT.response(exports.chunked(plans), kind=kind, name="plans")


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "owner": id_param(request.GET.get("owner")),
        "status": choice_param(request.GET.get("status"), ActionStatus.values),
        "overdue": request.GET.get("overdue") == "1",
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    filters = _filters(request)
    # A long workplan is shown a page at a time (the exports carry all of it).
    page = Paginator(selectors.workplan(plan, **filters, progress=False), WORKPLAN_PAGE).get_page(
        request.GET.get("page")
    )
    actions = list(page.object_list)
    rows = [(a, action_rules.can_update_action(request.user, a)) for a in actions]
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "page": page,
            "filters": filters,
            "statuses": ActionStatus.choices,
            "timeline": chart.due_dates(actions),
            "may_manage": rules.can_manage_plan(request.user, plan),
            "querystring": without_page.urlencode(),
        },
    )


def _latest_progress(action: Action) -> ProgressUpdate | None:
    updates = list(action.progress.all())  # prefetched, oldest first
    return updates[-1] if updates else None


def _latest_progress_text(action: Action) -> str:
    latest = _latest_progress(action)
    return latest.text if latest else ""


def _latest_progress_on(action: Action) -> datetime.date | None:
    latest = _latest_progress(action)
    return timezone.localdate(latest.created_at) if latest else None


# The workplan's exports: the importer's four columns first, so an export can be imported again.
WORKPLAN_EXPORT = exports.Table(
    "Workplan",
    [
        exports.Column("Action Number", attrgetter("number")),
        exports.Column("Action Detail", attrgetter("detail")),
        exports.Column("Action Owner", attrgetter("owner")),
        exports.Column("Action By date", attrgetter("due_wording")),
        exports.Column("Due on", attrgetter("due_on")),
        exports.Column("Status", methodcaller("get_status_display")),
        exports.Column("Overdue", lambda action: "yes" if action.is_overdue else ""),
        exports.Column("Latest progress", _latest_progress_text),
        exports.Column("Latest progress on", _latest_progress_on),
    ],
)


@login_required
def plan_export(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    if kind not in ("csv", "xlsx"):
        raise Http404("The workplan is exported as .csv or .xlsx.")
    plan = _plan_for(request, pk)
    actions = selectors.workplan(plan, **_filters(request))
    filename = f"{slugify(plan.title) or 'plan'}-workplan"
    if kind == "xlsx":
        return WORKPLAN_EXPORT.xlsx_response(actions, filename=filename)
    return WORKPLAN_EXPORT.csv_response(actions, filename=filename)


@login_required
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    return render(
        request,
        "plans/plan_print.html",
        {
            "plan": plan,
            "actions": selectors.workplan(plan),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.select_related("plan", "owner_party"), pk=pk, plan__isnull=False
    )
    if not rules.can_manage_plan(request.user, action.plan):
        raise PermissionDenied("Only the plan's owners edit its actions.")
    initial = {
        "number": action.number,
        "detail": action.detail,
        "owner_party": action.owner_party_id,
        "due_wording": action.due_wording,
        "commitments": list(action.commitments.values_list("pk", flat=True)),
    }
    form = ActionForm(posted(request), plan=action.plan, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.update_action(action, actor=request.user, data=data),
        done=f"action {action.number} saved",
        then=lambda result: result.plan,
        template="plans/action_edit.html",
        context={"action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    if not rules.can_manage_plan(request.user, plan):
        raise PermissionDenied("Only the plan's owners edit it.")
    return form_page(
        request,
        # The form fills in a copy: the service compares the plan before and after.
        PlanForm(posted(request), instance=Plan.objects.get(pk=plan.pk)),
        lambda data: services.update_plan(plan, actor=request.user, data=data),
        done="plan saved",
        then=lambda result: plan,
        template="plans/plan_edit.html",
        context={"plan": plan},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    if not rules.can_manage_plan(request.user, plan):
        raise PermissionDenied("Only the plan's owners record its reviews.")
    return form_page(
        request,
        ReviewForm(posted(request)),
        lambda data: services.record_review(plan, actor=request.user, data=data),
        done="review recorded",
        then=lambda result: plan,
        template="plans/review_form.html",
        context={"plan": plan},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("PLAN_IMPORT_MAX_BYTES")
def import_upload(request: HttpRequest) -> HttpResponse:
    if not rules.can_import_plans(request.user):
        raise PermissionDenied("Only national officers import plans.")
    return form_page(
        request,
        UploadForm(posted(request), posted_files(request)),
        lambda data: services.open_import(
            uploaded_by=request.user,
            source_name=data["file"].name,
            title=data["title"],
            data=data["file"].read(),
        ),
        done="the plan is read; check the preview",
        then=lambda upload: upload,
        template="plans/import_upload.html",
        context={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(PlanImport, pk=pk, uploaded_by=request.user, plan__isnull=True)
    error = None
    if request.method == "POST":
        try:
            services.record_corrections(
                upload, posted_corrections(request.POST, upload.corrections)
            )
            if request.POST.get("confirm"):
                plan = services.confirm_import(upload, actor=request.user)
                messages.success(request, f"Done: “{plan.title}” imported.")
                return redirect(plan)
        except services.PlanImportError as refused:
            error = refused.message
    try:
        parsed = services.read_import(upload)
    except services.PlanImportError as refused:
        parsed, error = None, refused.message
    # Each cell as it now reads, with the corrections so far, to prefill the inputs.
    current = services.upload_cells(upload) | {
        (c["line"], c["column"]): c["value"] for c in upload.corrections
    }
    return render(
        request,
        "plans/import_preview.html",
        {
            "upload": upload,
            "parsed": parsed,
            "error": error,
            "fixes": [(p, current.get((p.line, p.column), "")) for p in parsed.problems]
            if parsed
            else [],
        },
        status=400 if error else 200,
    )
