"""A person's own API tokens, from "Sign-in and security": the list, making one, revoking and
rotating, all through `tokens.py` (which audits each change).

A new secret is shown once: the page that makes it keeps it in the session only until the
next page, which takes it out as it shows it (and asks not to be stored). People whose roles
need two-factor sign-in (`accounts.rules.must_use_mfa`, when it is enforced) make or rotate a
token only within allauth's reauthentication timeout of entering a code from their app:
otherwise they are sent to allauth's two-factor reauthentication first, and come back."""

from __future__ import annotations

import datetime
import time
from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accord.accounts import rules
from accord.accounts.forms import ConfirmForm
from accord.core.forms import AccordForm
from accord.core.pages import form_page, posted
from accord.enrolments.forms import DateInput

from . import tokens
from .models import ApiToken

# Where the new secret waits, in the session, for the one page that shows it.
NEW_SECRET = "accord_api_token_secret"
DEFAULT_LIFE = datetime.timedelta(days=90)


class TokenForm(AccordForm):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the token is for, so you can tell it from others: for example, "
        "“Membership database”.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text="At most a year from today. The token stops working at the start of that day.",
        widget=DateInput(),
    )
    read_only = forms.BooleanField(
        label="Read-only: it can read but never change anything", required=False
    )

    def clean_expires_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Choose a day after today.")
        if value > today + datetime.timedelta(days=365):
            raise forms.ValidationError("A token can last at most a year: choose an earlier day.")
        return value


def _expiry(day: datetime.date) -> datetime.datetime:
    """The start of `day`, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _mfa_recent(request: HttpRequest) -> bool:
    """Whether the person entered a code from their app (signing in, or reauthenticating)
    within allauth's reauthentication timeout."""
    timeout = account_settings.REAUTHENTICATION_TIMEOUT
    now = time.time()
    return any(
        record.get("method") == "mfa" and now - record.get("at", 0) < timeout
        for record in get_authentication_records(request, request.user)
    )


def _reauthentication(request: HttpRequest, back: str) -> HttpResponse | None:
    """A redirect to two-factor reauthentication, for someone who must use it and has not
    entered a code recently; None when they may go on."""
    if not settings.ACCORD_MFA_REQUIRED or not rules.must_use_mfa(request.user):
        return None
    if _mfa_recent(request):
        return None
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")


def _keep_secret(request: HttpRequest, secret: str) -> str:
    request.session[NEW_SECRET] = secret
    return reverse("api-token-made")


@login_required
@require_safe
def token_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api/tokens.html",
        {"tokens": list(tokens.of(request.user)), "now": timezone.now(), "form": ConfirmForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    asked = _reauthentication(request, reverse("api-token-new"))
    if asked is not None:
        return asked
    initial = {"expires_on": timezone.localdate() + DEFAULT_LIFE}
    form = TokenForm(posted(request), initial=initial)

    def make(data: dict[str, Any]) -> str:
        _, secret = tokens.issue(
            request.user,
            name=data["name"],
            expires_at=_expiry(data["expires_on"]),
            read_only=data["read_only"],
        )
        return _keep_secret(request, secret)

    return form_page(
        request,
        form,
        make,
        done="the token is made",
        then=lambda url: url,
        template="api/token_form.html",
        context={},
    )


@login_required
@require_safe
def token_made(request: HttpRequest) -> HttpResponse:
    """The new secret, once: taken out of the session as it is shown."""
    secret = request.session.pop(NEW_SECRET, None)
    if secret is None:
        return redirect("api-tokens")
    response = render(request, "api/token_made.html", {"secret": secret})
    response["Cache-Control"] = "private, no-store"
    return response


def _own(request: HttpRequest, pk: int) -> ApiToken:
    """One of the person's own tokens; anyone else's is not found."""
    return get_object_or_404(ApiToken, pk=pk, user=request.user)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own(request, pk)
    if ConfirmForm(request.POST).is_valid():
        tokens.revoke(token, actor=request.user)
        messages.success(request, f"Done: the token “{token.name}” is revoked.")
    return redirect("api-tokens")


@login_required
@require_POST
def token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own(request, pk)
    asked = _reauthentication(request, reverse("api-tokens"))
    if asked is not None:
        return asked
    if not token.is_live:
        messages.error(request, "Only a live token can be rotated.")
        return redirect("api-tokens")
    _, secret = tokens.rotate(token, actor=request.user)
    return redirect(_keep_secret(request, secret))


urlpatterns = [
    path("", token_list, name="api-tokens"),
    path("new/", token_new, name="api-token-new"),
    path("made/", token_made, name="api-token-made"),
    path("<int:pk>/revoke/", token_revoke, name="api-token-revoke"),
    path("<int:pk>/rotate/", token_rotate, name="api-token-rotate"),
]
