"""/api/v1/: each resource module's addresses, the OpenAPI schema and its browsable docs."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import employers, enrolments, membership, plans, register, schemes, tasks, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(schemes.urlpatterns)),
    path("", include(employers.urlpatterns)),
    path("", include(enrolments.urlpatterns)),
    path("", include(membership.urlpatterns)),
    path("", include("accord.api.people")),
    path("", include("accord.api.areas")),
    path("", include(plans.urlpatterns)),
    path("", include(register.urlpatterns)),
    path("", include(tasks.urlpatterns)),
    path("", include("accord.api.activities")),
    # Anything else under /api/v1/ is a 404 problem document, not the site's HTML page.
    re_path(r"^.*$", views.not_found),
]
