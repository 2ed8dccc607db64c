"""The one account page Accord writes itself: where a person's sign-in address comes from."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_required
@require_safe
def email_address(request: HttpRequest) -> HttpResponse:
    """In place of allauth's address management: a person's address is their sign-in name and
    where their invitations went, so national officers change it, not the person."""
    return render(request, "account/email_address.html")
