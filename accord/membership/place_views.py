"""The area pages: the overview, creating and editing areas, merging and retiring them, and
moving a local authority between associations. A move or a merge shows its preview first (a
plain visit with the choice in the query string), then is confirmed by a POST."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accord.accounts import rules
from accord.core.pages import carry_token, form_page, posted
from accord.organisations.models import Association, District, LocalAuthority, Region

from . import places
from .place_forms import AREA_FORMS, MergeIntoForm, MoveForm, RetireForm

# The URL name of each kind's pages: "region-edit", "association-merge", ...
URL_NAMES = {Region: "region", District: "district", Association: "association"}
URL_NAMES_BY_KIND = {kind: URL_NAMES[model] for kind, model in places.KINDS.items()}


def _managing(request: HttpRequest) -> None:
    if not rules.can_manage_places(request.user):
        raise PermissionDenied("Areas are managed by national officers.")


def _area(kind: str, pk: int) -> places.AnyArea:
    model = places.KINDS[kind]
    related = ("region", "district") if model is Association else ()
    return get_object_or_404(model.objects.select_related(*related), pk=pk)


def _page_context(area: places.AnyArea, kind: str) -> dict[str, Any]:
    return {
        "area": area,
        "kind": kind,
        "kind_label": places.label(area),
        "url_name": URL_NAMES[type(area)],
    }


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    """Every area, current first; retired ones below, for history."""
    if not rules.can_view_places(request.user):
        raise PermissionDenied("The areas are for national officers and auditors.")
    current_employers = Q(employers__merged_into__isnull=True)
    associations = (
        Association.objects.select_related("region", "district", "merged_into")
        .prefetch_related(Prefetch("local_authorities", LocalAuthority.objects.order_by("name")))
        .annotate(employer_count=Count("employers", filter=current_employers))
        .order_by("name")
    )
    authorities = LocalAuthority.objects.select_related("region").prefetch_related(
        Prefetch("associations", Association.objects.current().order_by("name"))
    )
    regions = Region.objects.select_related("merged_into").annotate(
        association_count=Count("associations", filter=Q(associations__retired_at__isnull=True))
    )
    districts = District.objects.select_related("merged_into").annotate(
        association_count=Count("associations", filter=Q(associations__retired_at__isnull=True))
    )
    everything = {"regions": regions, "districts": districts, "associations": associations}
    context = {
        name: [a for a in found if not a.is_retired]
        for name, found in ((n, list(q)) for n, q in everything.items())
    }
    retired = [
        (places.label(a), a)
        for name in ("regions", "districts", "associations")
        for a in everything[name]
        if a.is_retired
    ]
    return render(
        request,
        "organisations/areas.html",
        {
            **context,
            "authorities": authorities.order_by("name"),
            "retired": retired,
            "may_manage": rules.can_manage_places(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_new(request: HttpRequest, kind: str) -> HttpResponse:
    _managing(request)
    model = places.KINDS[kind]
    label = places.KIND_LABELS[model]
    return form_page(
        request,
        AREA_FORMS[model](posted(request)),
        lambda data: places.save_area(None, model, actor=request.user, data=data),
        done=f"{label} created",
        then=lambda area: reverse("areas"),
        template="organisations/area_form.html",
        context={"title": f"New {label}", "kind": kind, "kind_label": label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _managing(request)
    area = _area(kind, pk)
    context = {**_page_context(area, kind), "title": f"{area}"}
    if area.is_retired:
        return render(request, "organisations/area_form.html", context)
    if isinstance(area, Association):
        context["local_authorities"] = area.local_authorities.order_by("name")
    else:
        context["associations"] = area.associations.current().order_by("name")
    return form_page(
        request,
        AREA_FORMS[type(area)](posted(request), instance=_area(kind, pk)),
        lambda data: places.save_area(area, type(area), actor=request.user, data=data),
        done=f"{places.label(area)} saved",
        then=lambda saved: reverse(f"{URL_NAMES[type(area)]}-edit", args=[saved.pk]),
        template="organisations/area_form.html",
        context=context,
    )


def _preview_page(
    request: HttpRequest,
    form: Any,
    preview: Any,
    confirm: Any,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A plain visit: the choice (a GET form) and, once chosen, what it would change and the
    button (a POST form) that does it."""
    if preview is not None and not preview.refusal:
        carry_token(confirm)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        template,
        {**context, "choice": form, "preview": preview, "form": confirm},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_merge(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _managing(request)
    source = _area(kind, pk)
    context = {**_page_context(source, kind), "title": f"Merge {source}"}
    if request.method == "POST":
        return form_page(
            request,
            MergeIntoForm(request.POST, source=source, hidden=True),
            lambda data: places.merge_areas(source, data["into"], actor=request.user),
            done=f"{source} merged",
            then=lambda target: reverse(f"{URL_NAMES[type(source)]}-edit", args=[target.pk]),
            template="organisations/area_merge.html",
            context={**context, "choice": MergeIntoForm(source=source)},
        )
    chosen = "into" in request.GET
    choice = MergeIntoForm(request.GET if chosen else None, source=source)
    preview = target = None
    if chosen and choice.is_valid():
        target = choice.cleaned_data["into"]
        preview = places.merge_preview(source, target)
    confirm = MergeIntoForm(initial={"into": target}, source=source, hidden=True)
    return _preview_page(
        request,
        choice,
        preview,
        confirm,
        "organisations/area_merge.html",
        {**context, "target": target},
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_retire(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _managing(request)
    area = _area(kind, pk)
    return form_page(
        request,
        RetireForm(posted(request)),
        lambda data: places.retire_area(area, actor=request.user),
        done=f"{area} retired",
        then=lambda retired: reverse("areas"),
        template="organisations/area_retire.html",
        context={
            **_page_context(area, kind),
            "title": f"Retire {area}",
            "blockers": [] if area.is_retired else places.retire_blockers(area),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def local_authority_move(request: HttpRequest, pk: int) -> HttpResponse:
    _managing(request)
    authority = get_object_or_404(LocalAuthority, pk=pk)
    context = {
        "authority": authority,
        "title": f"Move {authority}",
        "covering": list(authority.associations.current().order_by("name")),
    }
    if request.method == "POST":
        return form_page(
            request,
            MoveForm(request.POST, hidden=True),
            lambda data: places.move_local_authority(authority, data["to"], actor=request.user),
            done=f"{authority} moved",
            then=lambda moved: reverse("areas") + f"#la-{moved.pk}",
            template="organisations/local_authority_move.html",
            context={**context, "choice": MoveForm()},
        )
    chosen = "to" in request.GET
    choice = MoveForm(request.GET if chosen else None)
    preview = target = None
    if chosen and choice.is_valid():
        target = choice.cleaned_data["to"]
        preview = places.move_preview(authority, target)
    confirm = MoveForm(initial={"to": target}, hidden=True)
    return _preview_page(
        request,
        choice,
        preview,
        confirm,
        "organisations/local_authority_move.html",
        {**context, "target": target},
    )
