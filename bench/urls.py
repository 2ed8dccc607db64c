"""Accord's URLs with the floor view beside them (bench settings only)."""

from django.urls import include, path

from .floor import floor

urlpatterns = [
    path("bench-floor/", floor, name="bench-floor"),
    path("", include("accord.urls")),
]
