"""The shape every form page shares: validate, call the service, and turn a refusal into an
error on its field (or above the form), writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict

from .errors import DomainError


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data for a form: bound on every POST (even an empty one), else None."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> MultiValueDict | None:
    """The uploaded files, on a POST only: a form given `request.FILES` (never None) would be
    bound, and so checked, on a plain visit."""
    return request.FILES if request.method == "POST" else None


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
    if request.method == "POST":
        if form.is_valid():
            try:
                result = action(form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, f"Done: {done}.")
                return redirect(then(result))
        status = 400
    return render(request, template, {**context, "form": form}, status=status)
