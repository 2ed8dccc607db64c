from django.contrib import admin
from django.contrib.admin import widgets
from django.db import models

from accord.core.admin import AuditedAdmin, AuditedInline

from .models import Material, Principle, PrincipleVersion, Scheme


class PrincipleInline(AuditedInline):
    model = Principle
    extra = 0


class MaterialInline(AuditedInline):
    model = Material
    extra = 0
    # Files are uploaded through the scheme pages, which check them.
    fields = ["title", "url", "position", "public", "file_name", "removed_at"]
    readonly_fields = ["file_name", "removed_at"]
    # A link typed without a scheme is taken as https (Django 6's default, and the safe one).
    formfield_overrides = {
        models.URLField: {"widget": widgets.AdminURLFieldWidget, "assume_scheme": "https"}
    }


@admin.register(Scheme)
class SchemeAdmin(AuditedAdmin):
    inlines = [PrincipleInline, MaterialInline]
    filter_horizontal = ["partner_unions"]
    # The logo is uploaded through the scheme pages, which check it is a real PNG.
    readonly_fields = ["logo"]


@admin.register(PrincipleVersion)
class PrincipleVersionAdmin(AuditedAdmin):
    list_display = ["principle", "version", "introduced_at"]
    readonly_fields = ["introduced_at"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A version's wording is fixed once saved: rewording means a new version.
        if obj is not None:
            return ["principle", "version", "wording", "footnote", "reason", "introduced_at"]
        return self.readonly_fields
