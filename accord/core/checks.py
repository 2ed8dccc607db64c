"""System checks that stop a misconfigured server before it answers a request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import CheckMessage, Error, register


@register()
def static_files_collected(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With hashed static names, a missing manifest would make every page a 500."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Error(
            "Static files have not been collected, so every page would fail.",
            hint=f"Run `manage.py collectstatic --noinput` (into {settings.STATIC_ROOT}).",
            id="accord.E001",
        )
    ]
