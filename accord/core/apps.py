from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "accord.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)


class AccordAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only superusers may use."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "accord.core.adminsite.SuperuserAdminSite"
