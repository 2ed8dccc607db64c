"""Users and their scoped role assignments: a role is always held *for* something."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from accord.organisations.models import Association, District, Employer, Region, Union


class AccordUserManager(UserManager):
    """Users sign in with their e-mail address; the username is that address."""

    def _create_user(
        self, username: str | None, email: str | None, password: str | None, **extra: Any
    ) -> User:
        email = self.normalize_email(email or username or "").lower()
        return super()._create_user(email, email, password, **extra)


class User(AbstractUser):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)

    objects = AccordUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.lower()
        self.username = self.email
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    WORKPLACE_REP = "workplace_rep", "Workplace representative"
    LOCAL_SECRETARY = "local_secretary", "Local secretary"
    NEM = "nem", "National Executive Member"
    PARTNER_REP = "partner_rep", "Partner-union representative"
    NATIONAL_OFFICER = "national_officer", "National officer"
    EMPLOYER_CONTACT = "employer_contact", "Employer contact"
    PLAN_OWNER = "plan_owner", "Action-plan owner"
    PLAN_MEMBER = "plan_member", "Action-plan member"
    AUDITOR = "auditor", "Auditor"


# What each role must be held for: the scope fields that must be set (others must be empty).
# A partner-union representative's area is either a local association or a region.
ROLE_SCOPES: dict[str, tuple[tuple[str, ...], ...]] = {
    Role.WORKPLACE_REP: (("union", "employer"),),
    Role.LOCAL_SECRETARY: (("union", "association"),),
    Role.NEM: (("union", "district"),),
    Role.PARTNER_REP: (("union", "association"), ("union", "region")),
    Role.NATIONAL_OFFICER: (("union",),),
    Role.EMPLOYER_CONTACT: (("employer",),),
    Role.PLAN_OWNER: (("plan",),),
    Role.PLAN_MEMBER: (("plan", "party"),),
    Role.AUDITOR: ((),),
}
SCOPE_FIELDS = ("union", "employer", "association", "district", "region", "plan", "party")


def _scope_condition(role: str, shapes: tuple[tuple[str, ...], ...]) -> Q:
    allowed = Q()
    for shape in shapes:
        condition = Q()
        for name in SCOPE_FIELDS:
            condition &= Q(**{f"{name}__isnull": name not in shape})
        allowed |= condition
    return ~Q(role=role) | allowed


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.PROTECT)
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.PROTECT)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.CASCADE)
    party = models.ForeignKey("plans.Party", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(role, shapes), name=f"role_scope_{role}"
            )
            for role, shapes in ROLE_SCOPES.items()
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        parts = [str(getattr(self, name)) for name in SCOPE_FIELDS if getattr(self, f"{name}_id")]
        return ", ".join(parts) or "nationwide"
