from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin

from accord.core.admin import AuditedAdmin
from accord.core.forms import AccordModelForm, SafeTextMixin

from .models import RoleAssignment, User


class UserChangeForm(SafeTextMixin, auth_forms.UserChangeForm):
    pass


class UserCreationForm(SafeTextMixin, auth_forms.UserCreationForm):
    pass


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = AccordModelForm
    extra = 0
    raw_id_fields = ["employer"]


@admin.register(User)
class AccordUserAdmin(AuditedAdmin, UserAdmin):
    # Named here: AuditedAdmin's form would otherwise take the place of UserAdmin's.
    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [RoleAssignmentInline]
    list_display = ["email", "full_name", "is_active"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
