"""The dashboard page and its tables' downloads."""

from django.urls import path

from . import report_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.<slug:format>", views.export, name="dashboard-export"),
    path("dashboard/report/", report_views.monthly_report, name="dashboard-report"),
]
