from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "accord.workforce"
    label = "workforce"
    verbose_name = "Workforce figures"
