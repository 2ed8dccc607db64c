"""The scheme dashboard: figures, charts and downloads for the people who run the scheme."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "accord.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
