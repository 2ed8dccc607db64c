"""Workforce figures pages: a plan's or an employer's tables, a table (always suppressed), its
details, its grid of counts, its exports, and importing its counts with a preview.

Who may not read a table does not learn that it exists: every refusal to read is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted, posted_files
from accord.core.uploads import accepts_files
from accord.organisations.models import Employer
from accord.plans.models import Plan
from accord.plans.tables import posted_corrections

from . import published, rules, selectors, services
from .forms import CountsForm, TableForm, UploadForm, cell_field
from .models import FigureImport, FigureTable


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = Plan.objects.filter(pk=pk).first()
    if plan is None or not rules.can_read_plan_figures(request.user, plan):
        raise Http404("No such plan.")
    return plan


def _employer(request: HttpRequest, pk: int) -> Employer:
    employer = Employer.objects.filter(pk=pk).first()
    if employer is None or not rules.can_read_employer_figures(request.user, employer):
        raise Http404("No such employer.")
    return employer


def _table(request: HttpRequest, pk: int) -> FigureTable:
    try:
        table = selectors.table(pk)
    except FigureTable.DoesNotExist:
        raise Http404("No such table.") from None
    if not rules.can_read_table(request.user, table):
        raise Http404("No such table.")
    return table


def _editable(request: HttpRequest, pk: int) -> FigureTable:
    table = _table(request, pk)
    if not rules.can_edit_table(request.user, table):
        raise PermissionDenied("You may read this table but not change it.")
    return table


def _listing(
    request: HttpRequest,
    *,
    owner: Plan | Employer,
    found: QuerySet[FigureTable],
    may_add: bool,
) -> HttpResponse:
    tables = list(found[: selectors.TABLES_PAGE])
    return render(
        request,
        "workforce/table_list.html",
        {
            "owner": owner,
            "is_plan": isinstance(owner, Plan),
            "tables": tables,
            "may_add": may_add,
            "more": len(tables) == selectors.TABLES_PAGE,
        },
    )


@login_required
def plan_tables(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _listing(
        request,
        owner=plan,
        found=selectors.plan_tables(plan.pk),
        may_add=rules.can_add_plan_figures(request.user, plan),
    )


@login_required
def employer_tables(request: HttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    return _listing(
        request,
        owner=employer,
        found=selectors.employer_tables(employer.pk),
        may_add=rules.can_keep_employer_figures(request.user, employer),
    )


def _new_table(
    request: HttpRequest, *, plan: Plan | None, employer: Employer | None
) -> HttpResponse:
    form = TableForm(posted(request), plan=plan, may_publish=rules.can_mark_public(request.user))
    return form_page(
        request,
        form,
        lambda data: services.create_table(
            actor=request.user, plan=plan, employer=employer, data=data
        ),
        done="the table is added; enter its counts",
        then=lambda table: reverse("figure-counts", args=[table.pk]),
        template="workforce/table_form.html",
        context={"owner": plan or employer, "table": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_table_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not rules.can_add_plan_figures(request.user, plan):
        raise PermissionDenied("Only the plan's owners and members add its figures.")
    return _new_table(request, plan=plan, employer=None)


@login_required
@require_http_methods(["GET", "POST"])
def employer_table_new(request: HttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    if not rules.can_keep_employer_figures(request.user, employer):
        raise PermissionDenied("Only the employer's contacts and its union roles add figures.")
    return _new_table(request, plan=None, employer=employer)


@login_required
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = _table(request, pk)
    return render(
        request,
        "workforce/table_detail.html",
        {
            "table": table,
            "figures": published.shown(table),
            "may_edit": rules.can_edit_table(request.user, table),
        },
    )


@login_required
def table_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ("csv", "xlsx"):
        raise Http404("A table is exported as .csv or .xlsx.")
    table = _table(request, pk)
    figures = published.shown(table)
    export = published.export_table(figures)
    filename = slugify(f"{table.owner_name} {table}")[:80] or "figures"
    rows = published.export_rows(figures)
    if kind == "xlsx":
        return export.xlsx_response(rows, filename=filename)
    return export.csv_response(rows, filename=filename)


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    table = _editable(request, pk)
    initial = {
        "measure": table.measure,
        "columns": "\n".join(table.columns),
        "starts_on": table.starts_on,
        "ends_on": table.ends_on,
        "party": table.party_id,
        "public": table.public,
    }
    form = TableForm(
        posted(request),
        plan=table.plan,
        table=table,
        may_publish=rules.can_mark_public(request.user),
        initial=initial,
    )

    def save(data: dict[str, Any]) -> FigureTable:
        # A field not on the form (publication, for those who may not change it) keeps its value.
        values = {"public": table.public, "party": table.party, **data}
        return services.update_table(table, actor=request.user, data=values)

    return form_page(
        request,
        form,
        save,
        done="table saved",
        then=lambda result: result,
        template="workforce/table_form.html",
        context={"owner": table.plan or table.employer, "table": table},
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_counts(request: HttpRequest, pk: int) -> HttpResponse:
    table = _editable(request, pk)
    # The one page that shows the counts as entered, to those who keep them.
    stored = published.counts_of(table)
    initial = {
        cell_field(category, j): stored.get((category, j), 0)
        for category, _ in table.categories
        for j in range(len(table.columns))
    }
    form = CountsForm(posted(request), table=table, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.set_counts(table, actor=request.user, counts=form.counts()),
        done="counts saved",
        then=lambda result: result,
        template="workforce/counts_form.html",
        context={"table": table},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("PLAN_IMPORT_MAX_BYTES")
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    table = _editable(request, pk)
    return form_page(
        request,
        UploadForm(posted(request), posted_files(request)),
        lambda data: services.open_import(
            table,
            uploaded_by=request.user,
            source_name=data["file"].name,
            data=data["file"].read(),
        ),
        done="the file is read; check the preview",
        then=lambda upload: upload,
        template="workforce/import_upload.html",
        context={"table": table},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(
        FigureImport.objects.select_related("table__plan", "table__employer", "table__party"),
        pk=pk,
        uploaded_by=request.user,
        confirmed_at__isnull=True,
    )
    table = upload.table
    if not rules.can_edit_table(request.user, table):
        raise Http404("No such import.")
    error = None
    if request.method == "POST":
        try:
            services.record_corrections(
                upload, posted_corrections(request.POST, upload.corrections)
            )
            if request.POST.get("confirm"):
                services.confirm_import(upload, actor=request.user)
                messages.success(request, f"Done: the counts of “{table}” are imported.")
                return redirect(table)
        except services.FiguresError as refused:
            error = refused.message
    try:
        read, repairs = services.read_import(upload)
    except services.FiguresError as refused:
        read, repairs, error = None, [], refused.message
    current = services.upload_cells(upload) | {
        (c["line"], c["column"]): c["value"] for c in upload.corrections
    }
    return render(
        request,
        "workforce/import_preview.html",
        {
            "upload": upload,
            "table": table,
            "read": read,
            "repairs": repairs,
            "error": error,
            # The preview shows what will be published, suppressed like everywhere else.
            "figures": published.shown(table, read.counts) if read and not read.problems else None,
            "fixes": [(p, current.get((p.line, p.column), "")) for p in read.problems]
            if read
            else [],
        },
        status=400 if error else 200,
    )
