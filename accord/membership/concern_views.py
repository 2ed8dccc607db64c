"""Pages of concerns about a member: the form reached from the public verification page, the
raiser's link, the list of concerns a person may know of, a concern's page and its steps.

A concern's existence is secret: whoever may not see one gets "not found", never "forbidden".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.core.errors import DomainError
from accord.core.pages import attach_error, form_page, posted, posted_files
from accord.core.uploads import accepts_files, serve_evidence

from . import concerns, rules, selectors
from .concern_forms import (
    AppealDecisionForm,
    AppealForm,
    ConcernRaiseForm,
    DecisionForm,
    PutToEmployerForm,
    ResponseForm,
)
from .models import AppealSide, Concern, ConcernEvidence, ConcernState, Membership

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


def _client_ip(request: HttpRequest) -> str:
    """The client's address as the sign-in limits read it (ACCORD_TRUSTED_PROXY_COUNT)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address to be read
        return "unknown"


@require_http_methods(["GET", "POST"])
@accepts_files("EVIDENCE_MAX_BYTES")
def concern_raise(request: HttpRequest, reference: str) -> HttpResponse:
    """Raise a concern about a member: anyone, signed in or not."""
    membership = get_object_or_404(
        Membership.objects.on_register().select_related("employer", "scheme"),
        reference=reference.upper(),
    )
    public = not request.user.is_authenticated
    form = ConcernRaiseForm(
        posted(request), posted_files(request), membership=membership, public=public
    )
    if public and request.method == "POST" and form.is_valid() and form.is_robot:
        # Looks sent to whoever filled the trap; nothing is recorded and nobody is told.
        return redirect("concern-sent")
    return form_page(
        request,
        form,
        lambda data: concerns.raise_concern(
            membership,
            actor=None if public else request.user,
            data=data,
            client_ip=_client_ip(request),
        ),
        done="your concern was sent" if not public else "check your e-mail",
        then=lambda concern: "concern-sent" if public else concern,
        template="membership/concern_raise.html",
        context={"membership": membership, "public": public},
    )


def concern_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "membership/concern_sent.html")


@require_http_methods(["GET", "POST"])
def concern_link(request: HttpRequest, token: str) -> HttpResponse:
    """The public raiser's page: the concern's state, the confirmation, and the appeal."""
    concern = concerns.from_token(token)
    if concern is None:
        raise Http404("No such concern.")
    may_appeal = concerns.may_appeal(concern, AppealSide.RAISER)
    step = request.POST.get("step") if request.method == "POST" else None
    form = AppealForm(posted(request) if step == "appeal" else None)
    status = 200
    if step == "confirm":
        try:
            concerns.confirm(concern)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Done: your concern is confirmed.")
        return redirect("concern-link", token=token)
    if step == "appeal" and may_appeal:
        if form.is_valid():
            try:
                concerns.appeal(concern, side=AppealSide.RAISER, actor=None, data=form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "Done: your appeal was sent.")
                return redirect("concern-link", token=token)
        status = 400
    elif request.method == "POST":
        return redirect("concern-link", token=token)
    return render(
        request,
        "membership/concern_link.html",
        {
            "concern": concern,
            "form": form,
            "may_appeal": may_appeal,
            "unconfirmed": concern.state == ConcernState.UNCONFIRMED,
        },
        status=status,
    )


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.concerns_for(request.user)[:200])
    return render(request, "membership/concern_list.html", {"concerns": rows})


def _concern(request: HttpRequest, pk: int) -> Concern:
    return concern_for(request.user, pk)


def concern_for(user: AnyUser, pk: int, *prefetch: Prefetch | str) -> Concern:
    """The concern `pk` with what its pages show (and `prefetch`), if `user` may see it; "not
    found" otherwise, as its existence is secret."""
    concern = get_object_or_404(
        Concern.objects.prefetch_related(*prefetch).select_related(
            "membership__employer",
            "membership__scheme",
            "membership__enrolment__employer",
            "membership__enrolment__scheme",
            "raised_by",
            "decided_by",
            "appeal_decided_by",
        ),
        pk=pk,
    )
    if not rules.can_view_concern(user, concern):
        raise Http404("No such concern.")
    return concern


def _appeal_side(request: HttpRequest, concern: Concern) -> str:
    if rules.is_raiser(request.user, concern):
        return AppealSide.RAISER
    if rules.is_employer_told(request.user, concern):
        return AppealSide.EMPLOYER
    return ""


@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern(request, pk)
    officer = rules.can_handle_concerns(request.user, concern.membership)
    side = _appeal_side(request, concern)
    steps = [
        (slug, step.title)
        for slug, step in CONCERN_STEPS.items()
        if step.allowed(request.user, concern)
        and concern.state in concerns.STEPS[step.name].sources
    ]
    evidence = [
        e for e in concern.evidence.all() if officer or (e.side == AppealSide.EMPLOYER and side)
    ]
    return render(
        request,
        "membership/concern_detail.html",
        {
            "concern": concern,
            "officer": officer,
            "employer_view": not officer and side == AppealSide.EMPLOYER,
            "steps": steps,
            "evidence": evidence,
            "remedies": list(concern.remedies.order_by("number")),
            "events": list(concern.events.select_related("actor")) if officer else [],
            "appeal_until": concerns.appeal_open_until(concern),
        },
    )


# --- the steps taken on a concern's page ----------------------------------------------------


@dataclass(frozen=True)
class ConcernStep:
    name: str  # in concerns.STEPS
    title: str
    done: str  # what the person is told once it is taken
    form: Callable[..., forms.Form]
    allowed: Callable[[Any, Concern], bool]
    run: Callable[[HttpRequest, Concern, dict[str, Any]], Concern]
    files: bool = False


def _officer(user: Any, concern: Concern) -> bool:
    return rules.can_handle_concerns(user, concern.membership)


def _may_appeal(user: Any, concern: Concern) -> bool:
    if rules.is_raiser(user, concern):
        return concerns.may_appeal(concern, AppealSide.RAISER)
    if rules.is_employer_told(user, concern):
        return concerns.may_appeal(concern, AppealSide.EMPLOYER)
    return False


CONCERN_STEPS: dict[str, ConcernStep] = {
    "put-to-employer": ConcernStep(
        "put_to_employer",
        "Put it to the employer",
        "the concern was put to the employer",
        lambda data, files, concern: PutToEmployerForm(data),
        _officer,
        lambda r, c, d: concerns.put_to_employer(c, actor=r.user, data=d),
    ),
    "response": ConcernStep(
        "respond",
        "Respond to the concern",
        "your response was sent",
        lambda data, files, concern: ResponseForm(data, files),
        rules.can_respond_to_concern,
        lambda r, c, d: concerns.respond(c, actor=r.user, data=d),
        files=True,
    ),
    "decision": ConcernStep(
        "decide",
        "Decide the concern",
        "the decision was recorded",
        lambda data, files, concern: DecisionForm(data),
        _officer,
        lambda r, c, d: concerns.decide(c, actor=r.user, data=d),
    ),
    "appeal": ConcernStep(
        "appeal",
        "Appeal the decision",
        "your appeal was sent",
        lambda data, files, concern: AppealForm(data),
        _may_appeal,
        lambda r, c, d: concerns.appeal(c, side=_appeal_side(r, c), actor=r.user, data=d),
    ),
    "appeal-decision": ConcernStep(
        "decide_appeal",
        "Decide the appeal",
        "the appeal was decided",
        lambda data, files, concern: AppealDecisionForm(data, decided=concern.outcome),
        rules.can_decide_appeal,
        lambda r, c, d: concerns.decide_appeal(c, actor=r.user, data=d),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("EVIDENCE_MAX_BYTES")
def concern_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in CONCERN_STEPS:
        raise Http404("No such step.")
    concern = _concern(request, pk)
    taken = CONCERN_STEPS[step]
    if not taken.allowed(request.user, concern):
        raise PermissionDenied("You may not take this step on the concern.")
    if concern.state not in concerns.STEPS[taken.name].sources:
        messages.error(request, f"The concern is now “{concern.get_state_display().lower()}”.")
        return redirect(concern)
    form = taken.form(posted(request), posted_files(request) if taken.files else None, concern)
    return form_page(
        request,
        form,
        lambda data: taken.run(request, concern, data),
        done=taken.done,
        then=lambda result: result,
        template="membership/concern_step.html",
        context={"concern": concern, "title": taken.title, "files": taken.files},
    )


@login_required
def concern_evidence(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        ConcernEvidence.objects.select_related(
            "concern__membership__scheme", "concern__membership__enrolment__employer"
        ),
        pk=pk,
    )
    if not rules.can_open_concern_evidence(request.user, evidence):
        raise Http404("No such file.")
    return serve_evidence(evidence)
