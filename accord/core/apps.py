from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Every `migrate` also makes the database cache's table (when CACHES uses one), so no
    deployment can miss the separate `createcachetable` step."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "accord.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .middleware import record_sign_in

        post_migrate.connect(create_cache_tables, sender=self)
        user_logged_in.connect(record_sign_in, dispatch_uid="accord-signed-in-at")


class AccordAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only superusers may use."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "accord.core.adminsite.SuperuserAdminSite"
