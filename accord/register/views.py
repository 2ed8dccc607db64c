"""The public register and verification pages: no sign-in, no personal data.

The pages read only the register's own rows (`models.RegisterEntry`) and are cached by the
register's version, with ETag and Last-Modified (see `caching.py`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accord.core.params import choice_param, id_param, text_param
from accord.core.pdf import PDF_CONTENT_TYPE
from accord.membership.models import Membership, MembershipStatus
from accord.organisations.models import EmployerKind
from accord.workforce import published
from accord.workforce import selectors as figure_selectors

from . import caching, documents, html, opendata, selectors
from .caching import Version


def _params(request: HttpRequest) -> dict[str, Any]:
    return {
        "query": text_param(request.GET.get("q")),
        "kind": choice_param(request.GET.get("kind"), EmployerKind.values),
        "local_authority": id_param(request.GET.get("la")),
        "region": id_param(request.GET.get("region")),
    }


def _querystring(params: dict[str, Any]) -> str:
    names = {"query": "q", "kind": "kind", "local_authority": "la", "region": "region"}
    return urlencode(
        {names[k]: v for k, v in params.items() if v is not None and v != ""}, doseq=False
    )


def _verification_path(reference: str = "REFERENCE") -> str:
    return reverse("verification", args=[reference])


def register(request: HttpRequest) -> HttpResponseBase:
    params = _params(request)
    position = {
        "number": id_param(request.GET.get("page")),
        "after": id_param(request.GET.get("after")),
        "before": id_param(request.GET.get("before")),
    }

    def make(version: Version) -> HttpResponse:
        entries = selectors.register_entries(**params)
        count = caching.cached(version, "count", entries.count, params)
        page = selectors.page_of(entries, count=count, **position)
        prefix, _, suffix = _verification_path().partition("REFERENCE")
        filters = caching.cached(version, "filters", selectors.register_filters)
        return render(
            request,
            "register/register.html",
            {
                "page": page,
                "rows": html.rows(page.object_list, prefix, suffix),
                "count": count,
                "params": params,
                "kinds": EmployerKind.choices,
                "querystring": _querystring(params),
                "authority_options": html.options(
                    filters["authorities"], params["local_authority"]
                ),
                "region_options": html.options(filters["regions"], params["region"]),
            },
        )

    return caching.page(request, params, position, make=make)


def _open_data(request: HttpRequest, name: str) -> HttpResponseBase:
    params = _params(request)

    def make(version: Version) -> HttpResponseBase:
        entries = selectors.register_entries(**params)
        url_for = f"{settings.SITE_URL}{_verification_path()}"
        if name == "csv":
            return opendata.csv_response(entries, url_for)
        return StreamingHttpResponse(
            opendata.json_chunks(entries, url_for), content_type="application/json"
        )

    return caching.page(request, params, make=make)


def register_csv(request: HttpRequest) -> HttpResponseBase:
    return _open_data(request, "csv")


def register_json(request: HttpRequest) -> HttpResponseBase:
    return _open_data(request, "json")


def verification(request: HttpRequest, reference: str) -> HttpResponseBase:
    today = timezone.localdate()

    def make(version: Version) -> HttpResponse:
        entry = selectors.verification_entry(reference)
        if entry is None:
            raise Http404("No membership has this reference.")
        url = f"{settings.SITE_URL}{_verification_path(entry.reference)}"
        return render(
            request,
            "register/verification.html",
            {
                "membership": entry,
                "today": today,
                "statuses": MembershipStatus,
                "qr": documents.qr_svg_for(url) if entry.is_member else "",
                "url": url,
                # Figures about people only where an officer marked them public, suppressed.
                "figures": [
                    published.shown(table)
                    for table in figure_selectors.public_tables(entry.employer_id)
                ]
                if entry.is_member
                else [],
            },
        )

    return caching.page(request, reference.upper(), make=make, day=today)


@require_safe
def certificate(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The certificate of an active membership, as a PDF; a page saying why there is none for a
    suspended or withdrawn one. Made once per register version and day (it shows the date it
    was issued), so a suspension withdraws it at once."""
    today = timezone.localdate()

    def make(version: Version) -> HttpResponse:
        entry = selectors.verification_entry(reference)
        if entry is None:
            raise Http404("No membership has this reference.")
        if not entry.is_member:
            context = {"entry": entry, "statuses": MembershipStatus}
            return render(request, "register/no_certificate.html", context, status=410)
        url = f"{settings.SITE_URL}{_verification_path(entry.reference)}"
        pdf = caching.cached(
            version,
            "certificate",
            lambda: documents.certificate_pdf(entry, url, today=today),
            entry.reference,
            today,
        )
        response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
        filename = documents.certificate_filename(entry.employer_name, entry.reference)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    return caching.page(request, reference.upper(), make=make, day=today)


def _membership(reference: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("scheme", "employer__local_authority", "enrolment"),
        reference=reference.upper(),
    )


def verification_qr(request: HttpRequest, reference: str) -> HttpResponse:
    return HttpResponse(documents.qr_svg(_membership(reference)), content_type="image/svg+xml")


@require_safe
def logo_pack(request: HttpRequest, reference: str) -> HttpResponse:
    membership = _membership(reference)
    if not membership.is_member:
        return render(request, "register/no_logo.html", {"membership": membership}, status=410)
    response = HttpResponse(documents.cached_logo_pack(membership), content_type="application/zip")
    filename = documents.logo_pack_filename(membership)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
