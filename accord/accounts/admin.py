from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accord.core.admin import AuditedAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["employer"]


@admin.register(User)
class AccordUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["email", "full_name", "is_active"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
