"""Pages for policy checks: the list (with its downloads), logging one and assessing it."""

from __future__ import annotations

from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.accounts import rules as account_rules
from accord.core import exports
from accord.core.pages import form_page, posted
from accord.core.params import choice_param, text_param

from . import policy_checks, rules, selectors
from .forms import PolicyAssessForm, PolicyLogForm
from .models import Assessment, Membership, PolicyCheck

ASSESSMENTS = [(selectors.AWAITED, "Awaiting assessment"), *Assessment.choices]


def _listed(request: HttpRequest) -> tuple[QuerySet[PolicyCheck], dict[str, str]]:
    """The policy checks the list shows its reader with its filters (a value it cannot use is
    left out), and those filters: the page and its downloads alike. Someone who sees no
    member's enrolment has no list."""
    if account_rules.visible_enrolments_q(request.user) is None:
        raise PermissionDenied("You do not follow any member's policies.")
    values = {
        "q": text_param(request.GET.get("q")),
        "assessment": choice_param(
            request.GET.get("assessment"), [value for value, _ in ASSESSMENTS]
        ),
    }
    found = selectors.policy_checks_search(
        request.user, query=values["q"], assessment=values["assessment"]
    )
    return found, values


@login_required
def policy_check_list(request: HttpRequest) -> HttpResponse:
    found, values = _listed(request)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    querystring = urlencode({k: v for k, v in values.items() if v})
    return render(
        request,
        "membership/policy_check_list.html",
        {
            "page": page,
            "values": values,
            "assessments": ASSESSMENTS,
            "querystring": querystring,
            "downloads": exports.download_links("policy-checks-export", querystring),
        },
    )


def _principles(check: PolicyCheck) -> str:
    return ", ".join(str(v.principle.number) for v in check.principles.all())


def _day(moment: Any) -> Any:
    return timezone.localdate(moment) if moment else None


POLICY_CHECKS_EXPORT = exports.Table(
    "Policy checks",
    [
        exports.Column("Employer", lambda check: check.membership.employer.name),
        exports.Column("Scheme", lambda check: check.membership.scheme.name),
        exports.Column("Policy or initiative", attrgetter("title")),
        exports.Column("What it does", attrgetter("description")),
        exports.Column("Introduced on", attrgetter("introduced_on")),
        exports.Column("Logged on", lambda check: _day(check.logged_at)),
        exports.Column(
            "Assessment",
            lambda check: check.get_assessment_display() if check.assessment else "Awaited",
        ),
        exports.Column("Principles", _principles),
        exports.Column("Why", attrgetter("reasoning")),
        exports.Column("The unions' response", attrgetter("union_response")),
        exports.Column("Assessed on", lambda check: _day(check.assessed_at)),
    ],
)


@login_required
def policy_check_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Every policy check the list shows its reader with its filters, as CSV or XLSX, with
    what each check's own page shows them (the people who logged and assessed it aside)."""
    found, _ = _listed(request)
    return POLICY_CHECKS_EXPORT.response(exports.chunked(found), kind=kind, name="policy-checks")


@login_required
@require_http_methods(["GET", "POST"])
def log_policy(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("enrolment__employer", "scheme"), pk=pk
    )
    if not rules.can_log_policy(request.user, membership.enrolment):
        raise PermissionDenied("You may not log policies for this member.")
    return form_page(
        request,
        PolicyLogForm(posted(request)),
        lambda data: policy_checks.log_policy(membership, actor=request.user, data=data),
        done="policy logged for checking",
        then=lambda check: check,
        template="membership/policy_log.html",
        context={"membership": membership},
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_check(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(
        PolicyCheck.objects.select_related(
            "membership__enrolment__employer", "membership__scheme", "logged_by", "assessed_by"
        ),
        pk=pk,
    )
    enrolment = check.membership.enrolment
    if not rules.can_view_policy_check(request.user, check):
        raise PermissionDenied("You do not have access to this member.")
    may_assess = not check.is_assessed and rules.can_assess_policy(request.user, enrolment)
    if request.method == "POST" and not may_assess:
        raise PermissionDenied("Only the local secretary assesses policies, once.")
    form = PolicyAssessForm(posted(request), membership=check.membership)
    return form_page(
        request,
        form,
        lambda data: policy_checks.assess_policy(check, actor=request.user, data=data),
        done="policy assessed",
        then=lambda result: result,
        template="membership/policy_check.html",
        context={
            "check": check,
            "enrolment": enrolment,
            "may_assess": may_assess,
            "may_suspend": check.assessment == Assessment.DETRIMENT
            and check.membership.is_member
            and rules.can_manage_membership(request.user, check.membership),
        },
    )
