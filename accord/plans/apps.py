from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "accord.plans"
    label = "plans"
    verbose_name = "Joint action plans"
