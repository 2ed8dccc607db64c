"""Pages of an employer's request to join: the public form, and the local secretary's page to
turn a request into a proposal or close it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted

from . import join_requests, rules
from .forms import JoinRequestCloseForm, JoinRequestForm, JoinRequestProposeForm
from .models import JoinRequest


@require_http_methods(["GET", "POST"])
def join_request_new(request: HttpRequest) -> HttpResponse:
    form = JoinRequestForm(posted(request))
    if request.method == "POST" and form.is_valid() and form.is_robot:
        # Looks sent to whoever filled the trap; nothing is recorded and nobody is told.
        return redirect("join-request-sent")
    return form_page(
        request,
        form,
        lambda data: join_requests.submit(scheme=data["scheme"], data=data),
        done="your request was sent",
        then=lambda result: "join-request-sent",
        template="enrolments/join_request_form.html",
        context={},
    )


def join_request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "enrolments/join_request_sent.html")


def _join_request(
    request: HttpRequest, pk: int, *, handle: Callable[..., bool] | None = None
) -> JoinRequest:
    found = (
        JoinRequest.objects.select_related(
            "scheme__lead_union",
            "local_authority",
            "association",
            "employer",
            "enrolment",
            "handled_by",
        )
        .filter(pk=pk)
        .first()
    )
    # Requests hold personal details: to anyone else they do not exist.
    if found is None or not rules.can_view_join_request(request.user, found):
        raise Http404("No such request.")
    if handle is not None and not handle(request.user, found):
        raise PermissionDenied("Only the local secretary of the area handles this request.")
    if handle and not found.is_open:
        raise PermissionDenied("This request has already been handled.")
    return found


@login_required
def join_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _join_request(request, pk)
    is_open = join_request.is_open
    return render(
        request,
        "enrolments/join_request_detail.html",
        {
            "join_request": join_request,
            "may_propose": is_open
            and rules.can_propose_from_join_request(request.user, join_request),
            "may_close": is_open and rules.can_handle_join_request(request.user, join_request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_propose(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _join_request(request, pk, handle=rules.can_propose_from_join_request)
    form = JoinRequestProposeForm(
        posted(request),
        candidates=join_requests.employer_choices(join_request),
        new_name=join_request.employer_name,
        initial={"reason": join_request.message},
    )
    return form_page(
        request,
        form,
        lambda data: join_requests.propose(
            join_request,
            actor=request.user,
            employer=form.chosen_employer(),
            reason=data["reason"],
            exception_reason=data["exception_reason"],
        ),
        done="the request is now a proposal",
        then=lambda enrolment: enrolment,
        template="enrolments/join_request_action.html",
        context={"join_request": join_request, "title": "Turn the request into a proposal"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_close(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _join_request(request, pk, handle=rules.can_handle_join_request)
    form = JoinRequestCloseForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: join_requests.close(join_request, actor=request.user, reason=data["reason"]),
        done="the request is closed",
        then=lambda closed: closed,
        template="enrolments/join_request_action.html",
        context={"join_request": join_request, "title": "Close the request"},
    )
