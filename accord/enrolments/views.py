"""Pages of the joining process: the enrolment list, a form per step, documents, the diagram."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accord.accounts import rules as account_rules
from accord.core import exports
from accord.core.pages import form_page, posted
from accord.core.pdf import PDF_CONTENT_TYPE, html_to_pdf
from accord.organisations import selectors as organisation_selectors
from accord.schemes.models import Scheme

from . import diagram, documents, docx_letter, rules, selectors, services
from .filters import EnrolmentFilter
from .forms import LetterAddresseeForm, form_class
from .models import Enrolment
from .process import (
    INTERNAL_CLOSURES,
    MAIN_PATH,
    STEPS,
    STEPS_BY_NAME,
    step,
)


def enrolment_for(
    request: HttpRequest, pk: int, *, load: Callable[[int], Enrolment] = selectors.enrolment_detail
) -> Enrolment:
    """The enrolment `pk`, read by `load`, if the visitor may see it: else 404 or 403."""
    try:
        enrolment = load(pk)
    except Enrolment.DoesNotExist as exc:
        raise Http404("No such enrolment.") from exc
    if not rules.can_view_enrolment(request.user, enrolment):
        raise PermissionDenied("You do not have access to this enrolment.")
    return enrolment


def _listed(request: HttpRequest) -> tuple[EnrolmentFilter, QuerySet[Enrolment]]:
    """The enrolments the list shows its reader, its filters applied, longest waiting first:
    the page and its downloads alike."""
    filters = EnrolmentFilter(request.GET, user=request.user)
    queryset = filters.apply(
        selectors.listed_enrolments(request.user).order_by("state_changed_at", "id")
    )
    return filters, queryset


def _noun(request: HttpRequest) -> str:
    # An employer's way through the scheme is its membership; "enrolment" is the unions'.
    return "enrolment" if account_rules.is_union_staff(request.user) else "membership"


@login_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    filters, queryset = _listed(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = [(e, rules.state_label(request.user, e)) for e in page.object_list]
    values = filters.values()
    querystring = urlencode({k: v for k, v in values.items() if v})
    return render(
        request,
        "enrolments/enrolment_list.html",
        {
            "page": page,
            "rows": rows,
            "states": filters.fields["state"].choices[1:],
            "state": values["state"],
            # Stuck cases: offered to union staff only (others get no choice but "any time").
            "waiting_choices": filters.fields["waiting"].choices[1:],
            "waiting": values["waiting"],
            "q": values["q"],
            "querystring": querystring,
            "downloads": exports.download_links("enrolments-export", querystring),
            "noun": _noun(request),
        },
    )


def _export_table(request: HttpRequest) -> exports.Table[Enrolment]:
    """The list's columns and a few more that a spreadsheet sorts by; the step as the reader
    may know it (an employer never learns of an internal closure)."""
    user = request.user
    title = f"{_noun(request).capitalize()}s"
    return exports.Table(
        title,
        [
            exports.Column("Employer", lambda e: e.employer.name),
            exports.Column("URN", lambda e: e.employer.urn),
            exports.Column("Scheme", lambda e: e.scheme.name),
            exports.Column("Step", lambda e: rules.state_label(user, e)),
            exports.Column("Since", lambda e: e.state_since),
            exports.Column("Local authority", lambda e: e.employer.local_authority),
            exports.Column("Association", lambda e: e.employer.association),
            exports.Column("Region", lambda e: e.employer.region),
        ],
    )


@login_required
def enrolment_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Every enrolment the list shows its reader with its filters, as CSV or XLSX."""
    _, queryset = _listed(request)
    return _export_table(request).response(
        exports.chunked(queryset), kind=kind, name=f"{_noun(request)}s"
    )


@login_required
@require_http_methods(["GET", "POST"])
def take_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in STEPS_BY_NAME or name == "propose":
        raise Http404("No such step.")
    the_step = step(name)
    enrolment = enrolment_for(request, pk)
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
    # A duplicate merged into another employer is proposed as that one, never itself.
    employer = get_object_or_404(organisation_selectors.employers().current(), pk=employer_pk)
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


def _documents_for(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = enrolment_for(request, pk)
    if not rules.can_see_approach_documents(request.user, enrolment):
        raise PermissionDenied("The approach documents are for the unions, once agreed.")
    return enrolment


def _letter_page(request: HttpRequest, enrolment: Enrolment) -> dict:
    return {
        "enrolment": enrolment,
        "letter": documents.letter(enrolment),
        "may_address": rules.can_address_letter(request.user, enrolment),
    }


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _documents_for(request, pk)
    return render(request, "enrolments/letter.html", _letter_page(request, enrolment))


@login_required
def letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _documents_for(request, pk)
    return _download(
        documents.letter_docx(enrolment),
        docx_letter.CONTENT_TYPE,
        documents.file_name(enrolment, "docx"),
    )


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable page, printed to an A4 PDF."""
    enrolment = _documents_for(request, pk)
    # No notices: one waiting for the next page is left for it, not printed in the letter.
    context = {**_letter_page(request, enrolment), "messages": ()}
    content = context["letter"]
    html = render_to_string("enrolments/letter.html", context, request=request)
    pdf = html_to_pdf(
        html,
        title=content.title,
        author=content.author,
        subject=content.subject.removeprefix("The "),
    )
    return _download(pdf, PDF_CONTENT_TYPE, documents.file_name(enrolment, "pdf"))


@login_required
@require_http_methods(["GET", "POST"])
def letter_addressee(request: HttpRequest, pk: int) -> HttpResponse:
    """Whom the joint letter is addressed to: the head teacher or chief executive by name."""
    enrolment = _documents_for(request, pk)
    if not rules.can_address_letter(request.user, enrolment):
        raise PermissionDenied("Only the local secretary names whom the letter is addressed to.")
    form = LetterAddresseeForm(
        posted(request),
        initial={
            "addressee_name": enrolment.addressee_name,
            "addressee_job_title": enrolment.addressee_job_title,
        },
    )
    return form_page(
        request,
        form,
        lambda data: services.set_letter_addressee(
            enrolment,
            actor=request.user,
            name=data["addressee_name"],
            job_title=data["addressee_job_title"],
        ),
        done="the letter's addressee saved",
        then=lambda saved: reverse("enrolment-letter", args=[saved.pk]),
        template="enrolments/letter_addressee.html",
        context={"enrolment": enrolment},
    )


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
    enrolment = enrolment_for(request, pk)
    current = enrolment.state_enum
    if current in INTERNAL_CLOSURES and not rules.can_see_internal(request.user, enrolment):
        current = None
    return HttpResponse(diagram.render_svg(current), content_type="image/svg+xml")


def process_diagram(request: HttpRequest) -> HttpResponse:
    return HttpResponse(diagram.render_svg(None), content_type="image/svg+xml")


def process_page(request: HttpRequest) -> HttpResponse:
    # The published process in full for the public and the unions; a signed-in employer
    # reads it in the words of its membership, without the unions' inner steps.
    full = not request.user.is_authenticated or account_rules.is_union_staff(request.user)
    return render(
        request, "enrolments/process.html", {"steps": STEPS, "path": MAIN_PATH, "full": full}
    )
