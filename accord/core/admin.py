"""Admin pages write to the audit trail like every other change, with before and after.

`AuditedAdmin` records what every object looked like when the admin loaded it (`get_object`) and
what it looks like once saved, including many-to-many fields and every inline object created,
changed or deleted; deletions record the whole object and everything deleted with it. Views that
save without the change form (the password change page) are caught by `log_change`, which every
admin view calls after a change.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from accord.core import audit

from .forms import AccordModelForm
from .models import AuditEvent

# Fields whose values never go on the trail; a change shows as a different fingerprint.
SECRET_FIELDS = frozenset({"password"})


def record_of(obj: models.Model) -> dict[str, Any]:
    """Every field of `obj` as the audit trail shows it: concrete and many-to-many fields."""
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.name in SECRET_FIELDS:
            secret = f.value_from_object(obj) or ""
            values[f.name] = (
                f"set (fingerprint {hashlib.sha256(secret.encode()).hexdigest()[:10]})"
                if secret
                else "not set"
            )
        elif f.is_relation:
            values[f.name] = getattr(obj, f.name)
        else:
            values[f.name] = f.value_from_object(obj)
    for f in obj._meta.many_to_many:
        values[f.name] = sorted(str(o) for o in getattr(obj, f.name).all()) if obj.pk else []
    return audit.jsonable(values)


def _created(record: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in record.items() if v not in (None, "", [], False)}


def _deleted(record: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [v, None] for k, v in record.items() if v not in (None, "", [], False)}


class ConstraintCheckedInlineFormSet(BaseInlineFormSet):
    """Inline rows checked against the database's constraints with their parent included.

    Django leaves an inline's key to its parent out of each row's constraint checks and only
    compares the submitted rows with each other, so a row taking a value a saved row holds
    (two principles swapping numbers: rows are saved one by one) failed in the database. Such
    a row is refused on the form; a swap is made in two saves."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if form.errors or not form.has_changed() or self._should_delete_form(form):
                continue
            instance = form.instance
            exclude = {
                f.name
                for f in instance._meta.fields
                if f.name not in form.fields and f.name != self.fk.name
            }
            try:
                instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                form.add_error(None, error)


class AuditedInline(admin.TabularInline):
    """An inline of an audited admin: Accord's safe-text form, rows checked as above."""

    form = AccordModelForm
    formset = ConstraintCheckedInlineFormSet


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose creations, edits and deletions are recorded with before and after."""

    form = AccordModelForm

    # What each object looked like when this request loaded it, keyed by (model, pk).
    @staticmethod
    def _loaded(request: HttpRequest) -> dict[tuple[str, Any], dict[str, Any]]:
        return request.__dict__.setdefault("_audit_loaded", {})

    @staticmethod
    def _inline_events(request: HttpRequest) -> list[audit.Event]:
        return request.__dict__.setdefault("_audit_inline_events", [])

    def _event(
        self,
        request: HttpRequest,
        obj: models.Model,
        verb: str,
        changes: dict[str, Any],
        *,
        context: str | None = None,
        target_id: str = "",
    ) -> audit.Event:
        return audit.Event(
            action=f"{obj._meta.model_name}.{verb}",
            summary=f"{request.user} {verb} {obj._meta.verbose_name} {obj}",
            target=obj,
            context=context or audit.context_of(obj),
            actor=request.user,
            changes=changes,
            internal=True,
            target_id=target_id,
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._loaded(request)[(obj._meta.label_lower, obj.pk)] = record_of(obj)
        return obj

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        model = formset.model
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        # From the database: the forms' instances already carry the submitted values.
        before = {o.pk: record_of(o) for o in model._default_manager.filter(pk__in=pks)}
        deleted = [(f.instance, f.instance.pk) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        parent = audit.context_of(form.instance)
        events = self._inline_events(request)
        for obj, pk in deleted:
            events.append(
                self._event(
                    request, obj, "deleted", _deleted(before[pk]), context=parent, target_id=str(pk)
                )
            )
        for obj in formset.new_objects:
            events.append(
                self._event(request, obj, "created", _created(record_of(obj)), context=parent)
            )
        for obj, _fields in formset.changed_objects:
            changes = audit.diff(before.get(obj.pk, {}), record_of(obj))
            if changes:
                events.append(self._event(request, obj, "updated", changes, context=parent))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The event is written here, once many-to-many fields and inlines are saved too.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = record_of(obj)
        if change:
            before = self._loaded(request).pop((obj._meta.label_lower, obj.pk), {})
            changes = audit.diff(before, after)
        else:
            changes = _created(after)
        events = [self._event(request, obj, "updated" if change else "created", changes)]
        if change and not changes:
            events = []  # only inline objects changed: their own events say what
        audit.record([*events, *self._inline_events(request)])
        self._inline_events(request).clear()

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        # A view that saved without the change form (e.g. the password page) is recorded here.
        before = self._loaded(request).pop((obj._meta.label_lower, obj.pk), None)
        if before is not None:
            changes = audit.diff(before, record_of(obj))
            if changes:
                with transaction.atomic(using=router.db_for_write(obj.__class__)):
                    audit.record([self._event(request, obj, "updated", changes)])
        return super().log_change(request, obj, message)

    def _record_deletion(self, request: HttpRequest, objs: list[models.Model]) -> None:
        """Each object and everything its deletion takes with it, as it was."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        events = [self._event(request, obj, "deleted", _deleted(record_of(obj))) for obj in objs]
        # What goes with a single object belongs in its history; after a bulk delete, in its own.
        context = audit.context_of(objs[0]) if len(objs) == 1 else None
        for model, instances in collector.data.items():
            for other in instances:
                if other in objs or model is AuditEvent:
                    continue
                events.append(
                    self._event(
                        request, other, "deleted", _deleted(record_of(other)), context=context
                    )
                )
        audit.record(events)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self._record_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self._record_deletion(request, list(queryset))
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
