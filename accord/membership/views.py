"""National officers' pages for a membership's status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from accord.core.pages import form_page, posted

from . import rules, services
from .forms import StatusChangeForm
from .models import Membership, MembershipStatus

TITLES = {
    "suspend": "Suspend the membership",
    "withdraw": "Withdraw the membership",
    "reinstate": "Reinstate the membership",
}


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, pk: int, change: str) -> HttpResponse:
    if change not in services.STATUS_CHANGES:
        raise Http404("No such change.")
    membership = get_object_or_404(
        Membership.objects.select_related("scheme", "employer", "enrolment"), pk=pk
    )
    if not rules.can_manage_membership(request.user, membership):
        raise PermissionDenied("Only a national officer of the scheme may change a membership.")
    sources, target, _ = services.STATUS_CHANGES[change]
    if membership.status not in sources:
        messages.error(
            request, f"The membership is {membership.get_status_display().lower()} already."
        )
        return redirect(membership.enrolment)
    leaving = target != MembershipStatus.ACTIVE
    return form_page(
        request,
        StatusChangeForm(posted(request), leaving=leaving),
        lambda data: services.change_status(membership, change, actor=request.user, **data),
        done=TITLES[change].lower(),
        then=lambda result: membership.enrolment,
        template="membership/status_form.html",
        context={"membership": membership, "title": TITLES[change], "leaving": leaving},
    )
