"""The public home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Scheme


def home(request: HttpRequest) -> HttpResponse:
    schemes = Scheme.objects.with_unions()
    return render(
        request,
        "core/home.html",
        {"schemes": [(scheme, scheme.current_principles()) for scheme in schemes]},
    )
