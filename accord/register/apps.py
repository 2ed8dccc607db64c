from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "accord.register"
    label = "register"
    verbose_name = "Public register"

    def ready(self) -> None:
        # The register's rows follow changes made on the floors below, heard through signals.
        from . import receivers  # noqa: F401
