"""Admin pages for users, their role assignments and groups; every change is audited."""

from __future__ import annotations

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from accord.core.admin import AuditedAdmin, AuditedInline
from accord.core.forms import SafeTextMixin

from .models import RoleAssignment, User


class UserChangeForm(SafeTextMixin, auth_forms.UserChangeForm):
    pass


class UserCreationForm(SafeTextMixin, auth_forms.UserCreationForm):
    pass


class RoleAssignmentInline(AuditedInline):
    model = RoleAssignment
    fk_name = "user"
    # The current roles (the default manager's); who gave or ended a role is recorded by the
    # people pages, and a new role starts on the day it is added.
    exclude = ["starts_on", "granted_by", "ended_by"]
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

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The new password and its audit event are saved together or not at all.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)


# Groups grant admin permissions, so changes to them are on the audit trail too.
admin.site.unregister(Group)


@admin.register(Group)
class AccordGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


# People's sign-in addresses (django-allauth), audited like everything else; the bulk "mark
# verified" action would change them without the change form, so it is not offered.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class AccordEmailAddressAdmin(AuditedAdmin, EmailAddressAdmin):
    actions = []


# Authenticators hold the secret of a person's app: not shown, not edited here. A lost phone is
# reset from the person's page, audited (accounts/views.py, reset_mfa).
admin.site.unregister(Authenticator)
