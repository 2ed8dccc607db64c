"""The shape every form page shares: validate, call the service, and turn a refusal into an
error on its field (or above the form), writing nothing. Each form carries a submission token,
so that the same submission sent twice makes one record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.utils.datastructures import MultiValueDict

from .errors import DomainError
from .models import Submission

TOKEN_FIELD = "submission_token"


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data for a form: bound on every POST (even an empty one), else None."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> MultiValueDict | None:
    """The uploaded files, on a POST only: a form given `request.FILES` (never None) would be
    bound, and so checked, on a plain visit."""
    return request.FILES if request.method == "POST" else None


def carry_token(form: forms.Form) -> None:
    """Give `form` a hidden submission token: a new one on a visit, the one sent on a POST."""
    form.fields[TOKEN_FIELD] = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=uuid.uuid4().hex
    )


def once(request: HttpRequest, make: Callable[[], str]) -> tuple[str, bool]:
    """`make()` (which returns the address of what it made), unless this submission's token
    has made something already: then that address, and True for "repeated"."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not token or not request.user.is_authenticated:
        return make(), False
    with transaction.atomic():
        try:
            # Inserted first, in the same transaction as the record: a concurrent POST with
            # the same token waits on this row, then finds it, and makes nothing.
            with transaction.atomic():
                claim = Submission.objects.create(user=request.user, token=token)
        except IntegrityError:
            earlier = Submission.objects.get(user=request.user, token=token)
            return earlier.result_url, True
        claim.result_url = make()
        claim.save(update_fields=["result_url"])
    return claim.result_url, False


def attach_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    then: Callable[[Any], Any],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """On a valid POST, `action(cleaned_data)`; then redirect to `then(result)`."""
    status = 200
    carry_token(form)
    if request.method == "POST":
        if form.is_valid():
            form.cleaned_data.pop(TOKEN_FIELD, None)
            try:
                url, repeated = once(request, lambda: resolve_url(then(action(form.cleaned_data))))
            except DomainError as error:
                attach_error(form, error)
            else:
                if repeated:
                    messages.info(request, "This was sent twice: it was done once.")
                else:
                    messages.success(request, f"Done: {done}.")
                return redirect(url)
        status = 400
    return render(request, template, {**context, "form": form}, status=status)
