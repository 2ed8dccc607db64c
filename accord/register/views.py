"""The public register and verification pages: no sign-in, no personal data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accord.core.params import choice_param, id_param, text_param
from accord.membership.models import Membership, MembershipStatus
from accord.organisations.models import EmployerKind

from . import documents, opendata, selectors


def _params(request: HttpRequest) -> dict[str, Any]:
    return {
        "query": text_param(request.GET.get("q")),
        "kind": choice_param(request.GET.get("kind"), EmployerKind.values),
        "local_authority": id_param(request.GET.get("la")),
        "region": id_param(request.GET.get("region")),
    }


def register(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    page = Paginator(selectors.register_entries(**params), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.with_principles_met(page.object_list)
    query = {
        k: v
        for k, v in (
            ("q", params["query"]),
            ("kind", params["kind"]),
            ("la", params["local_authority"]),
            ("region", params["region"]),
        )
        if v is not None and v != ""
    }
    return render(
        request,
        "register/register.html",
        {
            "page": page,
            "params": params,
            "kinds": EmployerKind.choices,
            "querystring": urlencode(query),
            **selectors.register_filters(),
        },
    )


def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    entries = selectors.register_entries(**_params(request))
    response = StreamingHttpResponse(opendata.csv_lines(entries), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="register.csv"'
    return response


def register_json(request: HttpRequest) -> StreamingHttpResponse:
    entries = selectors.register_entries(**_params(request))
    return StreamingHttpResponse(opendata.json_chunks(entries), content_type="application/json")


def _membership(reference: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("scheme", "employer__local_authority"),
        reference=reference.upper(),
    )


def verification(request: HttpRequest, reference: str) -> HttpResponse:
    (membership,) = selectors.with_principles_met([_membership(reference)])
    return render(
        request,
        "register/verification.html",
        {
            "membership": membership,
            "today": timezone.localdate(),
            "statuses": MembershipStatus,
            "qr": documents.qr_svg(membership) if membership.is_member else "",
            "url": documents.verification_url(membership),
        },
    )


def verification_qr(request: HttpRequest, reference: str) -> HttpResponse:
    return HttpResponse(documents.qr_svg(_membership(reference)), content_type="image/svg+xml")


def logo_pack(request: HttpRequest, reference: str) -> HttpResponse:
    membership = _membership(reference)
    if not membership.is_member:
        return render(request, "register/no_logo.html", {"membership": membership}, status=410)
    response = HttpResponse(documents.logo_pack(membership), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{membership.reference}-logo-pack.zip"'
    return response
