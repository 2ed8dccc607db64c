"""Admin pages write to the audit trail like every other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from accord.core import audit

from .forms import AccordModelForm
from .models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose creations, edits and deletions are recorded with before and after."""

    form = AccordModelForm

    def _log(
        self, request: HttpRequest, obj: models.Model, verb: str, changes: dict[str, Any]
    ) -> None:
        audit.log_action(
            obj,
            f"{obj._meta.model_name}.{verb}",
            actor=request.user,
            summary=f"{request.user} {verb} {obj._meta.verbose_name} {obj}",
            changes=changes,
            internal=True,
        )

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        # The event is written in save_related, once the many-to-many fields are saved too.
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changes = {
            name: [form.initial.get(name) if change else None, form.cleaned_data.get(name)]
            for name in form.changed_data
            if name not in ("password",)
        }
        for formset in formsets:
            for inline in formset.forms:
                if inline.has_changed() and inline.instance.pk:
                    changes[f"{formset.prefix}:{inline.instance.pk}"] = [
                        None,
                        {n: inline.cleaned_data.get(n) for n in inline.changed_data},
                    ]
        self._log(request, form.instance, "updated" if change else "created", changes)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self._log(request, obj, "deleted", {"deleted": [str(obj), None]})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self._log(request, obj, "deleted", {"deleted": [str(obj), None]})
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "summary", "internal"]
    list_filter = ["action", "internal"]
    search_fields = ["summary", "context", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
