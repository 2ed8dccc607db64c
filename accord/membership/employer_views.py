"""Employer directory, employer pages and the GIAS import page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.core.params import choice_param, id_param, text_param
from accord.core.uploads import accepts_files
from accord.enrolments import rules as enrolment_rules
from accord.enrolments import selectors as enrolment_selectors
from accord.enrolments.process import State
from accord.organisations import selectors
from accord.organisations.forms import GiasUploadForm
from accord.organisations.gias import GiasFileError, import_gias
from accord.organisations.models import Association, EmployerKind, LocalAuthority
from accord.schemes.models import Scheme

from . import progress
from . import selectors as member_selectors


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    if not rules.can_browse_employers(request.user):
        contact = next((a for a in rules.assignments(request.user) if a.employer_id), None)
        if contact is None:
            raise PermissionDenied("The employer directory is for union staff.")
        return redirect("employer", contact.employer_id)
    params = {
        "query": text_param(request.GET.get("q")),
        "kind": choice_param(request.GET.get("kind"), EmployerKind.values),
        "local_authority": id_param(request.GET.get("la")),
        "association": id_param(request.GET.get("association")),
        "include_closed": request.GET.get("closed") == "1",
    }
    page = Paginator(selectors.search_employers(**params), 50).get_page(request.GET.get("page"))
    visible = {
        e.employer_id: e
        for e in enrolment_selectors.visible_enrolment_rows(request.user)
        .filter(employer_id__in=[employer.pk for employer in page.object_list])
        .open()
        .only("id", "employer_id", "state")
    }
    rows = [(employer, visible.get(employer.pk)) for employer in page.object_list]
    return render(
        request,
        "organisations/employer_list.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "kinds": EmployerKind.choices,
            "authorities": LocalAuthority.objects.order_by("name"),
            "associations": Association.objects.current().order_by("name"),
            "querystring": _without_page(request),
            "may_see_unassigned": rules.can_view_places(request.user),
        },
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


CHILDREN_SHOWN = 200


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_object_or_404(selectors.employers().select_related("merged_into"), pk=pk)
    if employer.merged_into_id is not None and rules.can_view_employer(
        request.user, employer.merged_into
    ):
        # A duplicate kept for history: what was recorded about it leads to the one carrying on
        # (its contact, whose role moved there, included).
        messages.info(request, f"{employer} was merged into {employer.merged_into}.")
        return redirect(employer.merged_into)
    if not rules.can_view_employer(request.user, employer):
        raise PermissionDenied("You do not have access to this employer.")
    # One read of the employer's enrolments serves the list and the progress pictures; the
    # schemes, read once with their unions, serve both and the offer to propose.
    schemes = list(Scheme.objects.with_unions())
    found = enrolment_selectors.with_schemes(
        member_selectors.visible_enrolments_with_progress(request.user).filter(employer=employer),
        schemes,
    )
    enrolments = [(e, enrolment_rules.state_label(request.user, e)) for e in found]
    may_propose = any(enrolment_rules.can_propose(request.user, employer, s) for s in schemes)
    members = [e for e in found if e.state == State.LISTED]
    # A trust's or authority's schools, the first few hundred: counted only when there are more.
    children = list(employer.children.order_by("name")[: CHILDREN_SHOWN + 1])
    children_count = employer.children.count() if len(children) > CHILDREN_SHOWN else len(children)
    pictures = []
    for scheme_id in sorted({e.scheme_id for e in members}):
        group = [e for e in members if e.scheme_id == scheme_id]
        pic = progress.picture(group)
        if not pic.is_empty:
            pictures.append((group[0].scheme, pic, progress.chart(pic, group[0].scheme.name)))
    return render(
        request,
        "organisations/employer_detail.html",
        {
            "employer": employer,
            "enrolments": enrolments,
            "may_propose": may_propose,
            "children": children[:CHILDREN_SHOWN],
            "children_count": children_count,
            "pictures": pictures,
            "may_manage": rules.can_manage_places(request.user),
            "union_staff": rules.is_union_staff(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("GIAS_UPLOAD_MAX_BYTES")
def gias_import(request: HttpRequest) -> HttpResponse:
    if not rules.can_import_employers(request.user):
        raise PermissionDenied("Only national officers import employers.")
    report = None
    status = 200
    if request.method == "POST":
        form = GiasUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = import_gias(form.cleaned_data["file"], actor=request.user)
            except GiasFileError as exc:
                form.add_error("file", str(exc))
                status = 400
        else:
            status = 400
    else:
        form = GiasUploadForm()
    return render(
        request, "organisations/gias_import.html", {"form": form, "report": report}, status=status
    )
