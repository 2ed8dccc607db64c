"""The public home page: what each scheme is, its principles in force, how joining works, its
materials, and the way for an employer to ask to join."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Material, Scheme


def home(request: HttpRequest) -> HttpResponse:
    schemes = Scheme.objects.with_unions().prefetch_related(
        # Only what is marked public: the rest is for the unions and employers in the scheme.
        Prefetch("materials", queryset=Material.objects.current().filter(public=True))
    )
    return render(
        request,
        "core/home.html",
        {"schemes": [(scheme, scheme.current_principles()) for scheme in schemes]},
    )
