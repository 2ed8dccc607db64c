"""National officers' pages for a membership's status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.accounts import rules

from . import services
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
    form = StatusChangeForm(request.POST or None, leaving=leaving)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.change_status(membership, change, actor=request.user, **form.cleaned_data)
            except services.MembershipError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"Done: {TITLES[change].lower()}.")
                return redirect(membership.enrolment)
        status = 400
    return render(
        request,
        "membership/status_form.html",
        {"membership": membership, "form": form, "title": TITLES[change], "leaving": leaving},
        status=status,
    )
