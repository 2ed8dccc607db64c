"""Forms of the people pages: a role and what it is held for, an invitation, ending a role,
deactivating, and setting a password from an invitation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Q
from django.utils import timezone

from accord.core.forms import AccordForm, SafeTextMixin
from accord.organisations.models import Association, District, Employer, Region, Union

from . import rules
from .models import EMAIL_KIND_HINTS, ROLE_SCOPES, EmailKind, Frequency, Role
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


SCOPE_NOUNS = {name: label.lower() for name, label in SCOPE_LABELS.items()} | {
    "district": "NEM district"
}
SCOPE_CHOICES = {
    "union": Union.objects.all(),
    "association": Association.objects.all(),
    "district": District.objects.all(),
    "region": Region.objects.all(),
}


def _scope_field(name: str) -> forms.Field:
    """An optional field for what a role is held for: the employer is named by its URN, group
    UID or name (there are thousands); the areas and unions are short lists."""
    if name == "employer":
        return forms.CharField(required=False, max_length=200, label=SCOPE_LABELS[name])
    return forms.ModelChoiceField(SCOPE_CHOICES[name], required=False, label=SCOPE_LABELS[name])


class RoleForm(AccordForm):
    """A role and its scope. Every scope field is shown (the page works without JavaScript);
    those the chosen role does not need are ignored."""

    # The suffix of each role's fields: a form may ask for more than one role.
    blocks: tuple[str, ...] = ("",)

    role = forms.ChoiceField(label="Role")
    union = _scope_field("union")
    employer = _scope_field("employer")
    association = _scope_field("association")
    district = _scope_field("district")
    region = _scope_field("region")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [r for r in rules.grantable_roles(actor) if r not in PLAN_ROLES]
        needed = {name for r in offered for shape in ROLE_SCOPES[r] for name in shape}
        areas = rules.secretary_areas(actor)
        for suffix in self.blocks:
            choices = [(r.value, r.label) for r in offered]
            if suffix:
                choices = [("", "None"), *choices]
            self.fields[f"role{suffix}"].choices = choices
            if suffix:
                # Named apart from the first role's fields, in the error summary too.
                for name in SCOPE_LABELS:
                    self.fields[f"{name}{suffix}"].label = f"{SCOPE_LABELS[name]}, other role"
            for name in SCOPE_LABELS:
                if name not in needed:
                    # Nothing this person may give is held for it: it would only confuse.
                    del self.fields[f"{name}{suffix}"]
                    continue
                self.fields[f"{name}{suffix}"].help_text = _needed_by(name)
            employer = f"employer{suffix}"
            if areas is not None:
                # A local secretary gives reps at the employers of their association.
                union_ids = [u for u, _ in areas]
                self.fields[f"union{suffix}"].queryset = Union.objects.filter(pk__in=union_ids)
                self.fields[employer] = forms.ModelChoiceField(
                    Employer.objects.filter(association_id__in=[a for _, a in areas]),
                    label=self.fields[employer].label,
                    required=False,
                    help_text=self.fields[employer].help_text,
                )
            elif employer in self.fields:
                self.fields[employer].help_text += " Its URN, GIAS group UID or exact name."
                value = self.initial.get(employer)
                if isinstance(value, Employer):
                    self.initial[employer] = value.urn or value.name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        specs = [self._spec(suffix) for suffix in self.blocks]
        data["specs"] = [spec for spec in specs if spec is not None]
        data["spec"] = specs[0]
        return data

    def _spec(self, suffix: str) -> RoleSpec | None:
        data = self.cleaned_data
        role = data.get(f"role{suffix}")
        if not role:
            return None
        shapes = ROLE_SCOPES[role]
        if len(shapes) > 1:
            # A partner representative: an association, or else a whole region.
            given = [s for s in shapes if all(self._given(f"{n}{suffix}") for n in s)]
            shape = given[0] if given else shapes[0]
        else:
            shape = shapes[0]
        scope: dict[str, Any] = {}
        for name in shape:
            field = f"{name}{suffix}"
            if not self._given(field):
                label = Role(role).label.lower()
                self.add_error(field, f"Give the {SCOPE_NOUNS[name]} of the {label}.")
                continue
            if name == "employer" and not isinstance(data[field], Employer):
                try:
                    scope[name] = find_employer(data[field])
                except forms.ValidationError as error:
                    self.add_error(field, error)
                    continue
            else:
                scope[name] = data[field]
        return RoleSpec(role, scope)

    def _given(self, name: str) -> bool:
        value = self.cleaned_data.get(name)
        return bool(value.strip()) if isinstance(value, str) else value is not None


class InviteForm(RoleForm):
    """An invitation with a role, and optionally a second one (more on the person's page)."""

    blocks = ("", "_2")

    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(max_length=150, label="Full name")
    role_2 = forms.ChoiceField(label="Another role", required=False)
    union_2 = _scope_field("union")
    employer_2 = _scope_field("employer")
    association_2 = _scope_field("association")
    district_2 = _scope_field("district")
    region_2 = _scope_field("region")

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


class EraseForm(AccordForm):
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        help_text="For example: the person asked to be erased, or the retention period ended.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone."},
    )


class ConfirmForm(AccordForm):
    """A button's form: nothing to fill in."""


class AcceptInvitationForm(SafeTextMixin, SetPasswordForm):
    """The invited person's own password, checked by Django's password validators."""


class EmailPreferencesForm(AccordForm):
    """How often each kind of optional e-mail comes: one question per kind the person can
    receive (`kinds`); posted answers for other kinds are ignored."""

    def __init__(self, *args: Any, kinds: Iterable[EmailKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                help_text=EMAIL_KIND_HINTS[kind],
                choices=Frequency.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how often you receive: {kind.label.lower()}.",
                    "invalid_choice": f"Choose at once, daily or weekly for {kind.label.lower()}.",
                },
            )
