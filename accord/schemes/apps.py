from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "accord.schemes"
    label = "schemes"
    verbose_name = "Schemes and principles"
