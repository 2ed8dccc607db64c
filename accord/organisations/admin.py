"""Admin pages for unions, areas and employers; every change is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet

from accord.core.admin import AuditedAdmin
from accord.core.forms import AccordModelForm

from .models import Association, District, Employer, LocalAuthority, Region, Union

admin.site.register([Region, District], AuditedAdmin)


@admin.register(Union)
class UnionAdmin(AuditedAdmin):
    # The logo is uploaded on the union's page, which checks it is a real PNG.
    readonly_fields = ["logo"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuditedAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["name", "code"]


class AssociationAdminForm(AccordModelForm):
    def clean_local_authorities(self) -> QuerySet[LocalAuthority]:
        # A local authority has one association; taking it from another moves that one's cases,
        # which the areas page shows before it is done.
        chosen = self.cleaned_data["local_authorities"]
        others = Association.objects.current().exclude(pk=self.instance.pk)
        taken = chosen.filter(associations__in=others).distinct().order_by("name")
        if taken:
            names = ", ".join(str(la) for la in taken)
            raise forms.ValidationError(
                f"Another association covers {names}: move it from the areas page, which "
                "shows whose cases change hands."
            )
        return chosen


@admin.register(Association)
class AssociationAdmin(AuditedAdmin):
    form = AssociationAdminForm
    list_display = ["name", "region", "district"]
    filter_horizontal = ["local_authorities"]


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ["name", "kind", "urn", "postcode", "local_authority", "is_open"]
    list_filter = ["kind", "is_open", "association_overridden"]
    search_fields = ["name", "urn", "postcode"]
    raw_id_fields = ["parent", "local_authority", "association", "merged_into"]
