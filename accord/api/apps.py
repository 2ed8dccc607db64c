"""The API app; when ready, it connects what revokes an erased person's tokens (`tokens.py`)."""

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class ApiConfig(AppConfig):
    name = "accord.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tokens

        post_save.connect(
            tokens.revoke_erased, sender=settings.AUTH_USER_MODEL, dispatch_uid="api-revoke-erased"
        )
