"""Officers' employer pages: editing details, setting the association, merging a duplicate
into the record that carries on, and the employers no association covers (whose cases nobody
can act on)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.core.pages import carry_token, form_page, posted
from accord.core.params import id_param, text_param
from accord.enrolments.process import OPEN_STATES
from accord.organisations import selectors, services
from accord.organisations.forms import (
    EmployerAssociationForm,
    EmployerDetailsForm,
    EmployerMergeForm,
)
from accord.organisations.models import Employer

from . import places

CANDIDATES = 20


def _employer(request: HttpRequest, pk: int) -> Employer | HttpResponse:
    """The employer an officer changes; a merged duplicate leads to the one that carries on."""
    if not rules.can_manage_places(request.user):
        raise PermissionDenied("Employers' details are managed by national officers.")
    employer = get_object_or_404(selectors.employers().select_related("merged_into"), pk=pk)
    if employer.merged_into_id is not None:
        messages.info(request, f"{employer} was merged into {employer.merged_into}.")
        return redirect(employer.merged_into)
    return employer


@login_required
@require_http_methods(["GET", "POST"])
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    if isinstance(employer, HttpResponse):
        return employer
    form = EmployerDetailsForm(posted(request), instance=Employer.objects.get(pk=pk))
    return form_page(
        request,
        form,
        lambda data: services.edit_employer(employer, actor=request.user, data=form.details()),
        done="details saved",
        then=lambda saved: saved,
        template="organisations/employer_form.html",
        context={"employer": employer, "title": f"Edit {employer.name}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def employer_association(request: HttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    if isinstance(employer, HttpResponse):
        return employer
    initial = {
        "how": "hand" if employer.association_overridden else "follow",
        "association": employer.association if employer.association_overridden else None,
    }
    return form_page(
        request,
        EmployerAssociationForm(posted(request), initial=initial),
        lambda data: services.set_association(
            employer,
            actor=request.user,
            association=data["association"],
            follow=data["how"] == "follow",
        ),
        done="association saved",
        then=lambda saved: saved,
        template="organisations/employer_association.html",
        context={
            "employer": employer,
            "title": f"{employer.name}'s association",
            "following": services.association_for(employer.local_authority),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def employer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """`pk` is the duplicate; the officer finds and chooses the employer that carries on."""
    duplicate = _employer(request, pk)
    if isinstance(duplicate, HttpResponse):
        return duplicate
    context = {"employer": duplicate, "title": f"Merge {duplicate.name} into another employer"}
    if request.method == "POST":
        return form_page(
            request,
            EmployerMergeForm(request.POST, duplicate=duplicate),
            lambda data: services.merge_employers(duplicate, data["into"], actor=request.user),
            done=f"{duplicate} merged",
            then=lambda survivor: survivor,
            template="organisations/employer_merge.html",
            context=context,
        )
    query = text_param(request.GET.get("q"))
    candidates = []
    if query:
        candidates = list(
            selectors.search_employers(query=query, include_closed=True).exclude(pk=duplicate.pk)[
                :CANDIDATES
            ]
        )
    survivor = None
    into = id_param(request.GET.get("into"))
    if into is not None:
        survivor = selectors.employers().current().exclude(pk=duplicate.pk).filter(pk=into).first()
    lines, refusal = (
        services.merge_preview(duplicate, survivor) if survivor is not None else ([], "")
    )
    if survivor is not None:
        context["cases"] = places.open_cases(Employer.objects.filter(pk=duplicate.pk))
        context["roles"] = places.roles_for(employer=[duplicate])
    confirm = EmployerMergeForm(initial={"into": survivor}, duplicate=duplicate)
    if survivor is not None and not refusal:
        carry_token(confirm)
    return render(
        request,
        "organisations/employer_merge.html",
        {
            **context,
            "query": query,
            "candidates": candidates,
            "searched": bool(query),
            "survivor": survivor,
            "lines": lines,
            "refusal": refusal,
            "form": confirm,
        },
    )


@login_required
def employers_unassigned(request: HttpRequest) -> HttpResponse:
    """Employers with no (current) association: nobody in an area can act on their cases."""
    if not rules.can_view_places(request.user):
        raise PermissionDenied("This list is for national officers and auditors.")
    cases_only = request.GET.get("cases") == "1"
    employers = (
        selectors.employers()
        .current()
        .filter(Q(association__isnull=True) | Q(association__retired_at__isnull=False))
        .annotate(
            open_cases=Count("enrolments", filter=Q(enrolments__state__in=sorted(OPEN_STATES)))
        )
        .order_by("-open_cases", "name", "pk")
    )
    if cases_only:
        employers = employers.filter(open_cases__gt=0)
    page = Paginator(employers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/employers_unassigned.html",
        {
            "page": page,
            "cases_only": cases_only,
            "querystring": "cases=1" if cases_only else "",
            "may_manage": rules.can_manage_places(request.user),
        },
    )
