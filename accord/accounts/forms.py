"""Forms of the people pages: a role and what it is held for, an invitation, ending a role,
deactivating, and setting a password from an invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Q
from django.utils import timezone

from accord.core.forms import AccordForm, SafeTextMixin
from accord.organisations.models import Association, District, Employer, Region, Union

from . import rules
from .models import ROLE_SCOPES, Role
from .services import RoleSpec

# Plan roles are given with the plan they belong to, on the plan's own pages.
PLAN_ROLES = (Role.PLAN_OWNER, Role.PLAN_MEMBER)

SCOPE_LABELS = {
    "union": "Union",
    "employer": "Employer",
    "association": "Local association",
    "district": "NEM district",
    "region": "Region",
}


def _needed_by(name: str) -> str:
    roles = [
        Role(role).label.lower()
        for role, shapes in ROLE_SCOPES.items()
        if any(name in shape for shape in shapes) and role not in PLAN_ROLES
    ]
    return "For " + ", ".join(roles) + "." if roles else ""


def find_employer(text: str) -> Employer:
    """The employer named by its URN, its GIAS group UID or its exact name."""
    text = text.strip()
    found = list(
        Employer.objects.filter(Q(urn=text) | Q(gias_group_uid=text) | Q(name__iexact=text))[:2]
    )
    if not found:
        raise forms.ValidationError("No employer has that URN, group UID or name.")
    if len(found) > 1:
        raise forms.ValidationError("More than one employer matches: give its URN.")
    return found[0]


class RoleForm(AccordForm):
    """One role and its scope. Every scope field is shown (the page works without JavaScript);
    those the chosen role does not need are ignored."""

    role = forms.ChoiceField(label="Role")
    union = forms.ModelChoiceField(Union.objects.all(), required=False, label="Union")
    employer = forms.CharField(required=False, max_length=200, label="Employer")
    association = forms.ModelChoiceField(
        Association.objects.all(), required=False, label="Local association"
    )
    district = forms.ModelChoiceField(District.objects.all(), required=False, label="NEM district")
    region = forms.ModelChoiceField(Region.objects.all(), required=False, label="Region")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [r for r in rules.grantable_roles(actor) if r not in PLAN_ROLES]
        self.fields["role"].choices = [(r.value, r.label) for r in offered]
        needed = {name for r in offered for shape in ROLE_SCOPES[r] for name in shape}
        for name in SCOPE_LABELS:
            if name not in needed:
                # Nothing this person may give is held for it: the field would only confuse.
                del self.fields[name]
                continue
            self.fields[name].help_text = _needed_by(name)
        areas = rules.secretary_areas(actor)
        if areas is not None:
            # A local secretary gives reps at the employers of their association: a short list.
            self.fields["union"].queryset = Union.objects.filter(pk__in=[u for u, _ in areas])
            self.fields["employer"] = forms.ModelChoiceField(
                Employer.objects.filter(association_id__in=[a for _, a in areas]),
                label="Employer",
                help_text=self.fields["employer"].help_text,
            )
        elif "employer" in self.fields:
            self.fields["employer"].help_text += " Its URN, GIAS group UID or exact name."
            employer = self.initial.get("employer")
            if isinstance(employer, Employer):
                self.initial["employer"] = employer.urn or employer.name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        shapes = ROLE_SCOPES[role]
        if len(shapes) > 1:
            # A partner representative: an association, or else a whole region.
            given = [s for s in shapes if all(self._given(name) for name in s)]
            shape = given[0] if given else shapes[0]
        else:
            shape = shapes[0]
        scope: dict[str, Any] = {}
        for name in shape:
            if not self._given(name):
                label = Role(role).label.lower()
                self.add_error(name, f"Give the {SCOPE_LABELS[name].lower()} of the {label}.")
                continue
            if name == "employer" and not isinstance(data[name], Employer):
                try:
                    scope[name] = find_employer(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
            else:
                scope[name] = data[name]
        data["spec"] = RoleSpec(role, scope)
        return data

    def _given(self, name: str) -> bool:
        value = self.cleaned_data.get(name)
        return bool(value.strip()) if isinstance(value, str) else value is not None


class InviteForm(RoleForm):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(max_length=150, label="Full name")

    field_order = ["email", "full_name", "role"]


class ChangeRoleForm(RoleForm):
    reason = forms.CharField(max_length=300, required=False, label="Reason for the change")


class EndRoleForm(AccordForm):
    ends_on = forms.DateField(
        label="End date",
        help_text="The role grants nothing from this day on. Leave it empty to end it today. "
        "For example, 2026-07-31.",
        required=False,
    )
    reason = forms.CharField(max_length=300, required=False, label="Reason")

    def clean_ends_on(self) -> Any:
        value = self.cleaned_data.get("ends_on")
        return value or timezone.localdate()


class StatusForm(AccordForm):
    reason = forms.CharField(max_length=300, required=False, label="Reason")


class ConfirmForm(AccordForm):
    """A button's form: nothing to fill in."""


class AcceptInvitationForm(SafeTextMixin, SetPasswordForm):
    """The invited person's own password, checked by Django's password validators."""
