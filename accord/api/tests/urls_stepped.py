"""The site's addresses with the joining steps answered in the API, for the task list's tests:
its items name the API address that takes a step only once the API serves it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from accord.urls import urlpatterns as site


def _step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    return HttpResponse(status=204)


urlpatterns = [path("api/v1/enrolments/<int:pk>/steps/<slug:name>/", _step), *site]
