"""The monthly report's page, beside the dashboard's."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("dashboard/report/", report_views.monthly_report, name="dashboard-report"),
]
