from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "accord.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
