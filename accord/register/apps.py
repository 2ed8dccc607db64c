from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def new_release(sender: AppConfig, apps: Any = global_apps, **kwargs: Any) -> None:
    """Every deployment migrates: a new version then makes the pages cached by the one before
    (whose markup may name static files the new release no longer has) unreachable, and
    browsers holding them fetch them again. (A flush, between transactional tests, sends the
    signal too, without the migrated state: the installed models are current then.)"""
    # Imported here like the receivers: the register's models are ready only now.
    from .entries import bump

    try:
        apps.get_model("register", "RegisterVersion")
    except LookupError:  # migrated back to before the register existed
        return
    bump(apps=apps)


class RegisterConfig(AppConfig):
    name = "accord.register"
    label = "register"
    verbose_name = "Public register"

    def ready(self) -> None:
        # The register's rows follow changes made on the floors below, heard through signals.
        from . import receivers  # noqa: F401

        post_migrate.connect(new_release, sender=self)
