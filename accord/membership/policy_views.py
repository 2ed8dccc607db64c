"""Pages for policy checks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted

from . import policy_checks, rules
from .forms import PolicyAssessForm, PolicyLogForm
from .models import Assessment, Membership, PolicyCheck


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
