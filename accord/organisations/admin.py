from django.contrib import admin

from accord.core.admin import AuditedAdmin

from .models import Association, District, Employer, LocalAuthority, Region, Union

admin.site.register([Union, Region, District], AuditedAdmin)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuditedAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["name", "code"]


@admin.register(Association)
class AssociationAdmin(AuditedAdmin):
    list_display = ["name", "region", "district"]
    filter_horizontal = ["local_authorities"]


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ["name", "kind", "urn", "postcode", "local_authority", "is_open"]
    list_filter = ["kind", "is_open", "association_overridden"]
    search_fields = ["name", "urn", "postcode"]
    raw_id_fields = ["parent", "local_authority", "association", "merged_into"]
