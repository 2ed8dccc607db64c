"""Users and their scoped role assignments: a role is always held *for* something."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accord.core import audit
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
    # Part of every session's check (below): raising it ends all the person's sessions at once,
    # wherever they are, without reading the session table.
    security_stamp = models.PositiveIntegerField(default=0, editable=False)

    objects = AccordUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.pk])

    @property
    def pseudonym_name(self) -> str:
        """The name an erased person goes by (accounts/erasure.py)."""
        return f"Erased person {self.pk}"

    @property
    def pseudonym_email(self) -> str:
        return f"erased-{self.pk}@invalid"

    @property
    def is_erased(self) -> bool:
        return self.email == self.pseudonym_email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's check that a session still belongs to this person, from the password (so a
        new password ends other sessions) and the security stamp (so "sign out everywhere" and
        a reset of two-factor sign-in end them all)."""
        return salted_hmac(
            "accord.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self) -> None:
        # Lower-cased before the unique check, as `save` stores it: "Rep@X" is "rep@x" taken.
        super().clean()
        self.email = self.email.lower()

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


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        """The assignments in force on `on` (today): not yet ended. A role is in force from the
        moment it is given; `starts_on` records that day."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))

    def former(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        """The assignments that have ended by `on` (today): kept as history, granting nothing."""
        return self.filter(ends_on__lte=on or timezone.localdate())


class CurrentRoleManager(models.Manager.from_queryset(RoleAssignmentQuerySet)):  # type: ignore[misc]
    """Only the roles in force today. It is the default manager, so that every read of roles
    (access, recipients, task holders, a user's `role_assignments`) leaves out an ended role
    without having to remember to; the history is read through `RoleAssignment.history`."""

    def get_queryset(self) -> RoleAssignmentQuerySet:
        return super().get_queryset().current()


class RoleAssignment(models.Model):
    """A role held for a scope from `starts_on` until the day before `ends_on`. Ending a role
    keeps the row: from its end date on it grants nothing, anywhere."""

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
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)

    objects = CurrentRoleManager()
    history = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        default_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(role, shapes), name=f"role_scope_{role}"
            )
            for role, shapes in ROLE_SCOPES.items()
        ] + [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.scope_label}"

    def clean(self) -> None:
        """Refuse, on the scope fields, what the database's checks would refuse: a scope the
        role is not held for, or a party of another plan than the role's."""
        super().clean()
        shapes = ROLE_SCOPES.get(self.role)
        if shapes is None:
            return  # not a role: its field says so
        given = {name for name in SCOPE_FIELDS if getattr(self, f"{name}_id") is not None}
        shape = set(min(shapes, key=lambda s: len(given.symmetric_difference(s))))
        role = self.get_role_display().lower()
        errors: dict[str, str] = {}
        for name in sorted(shape - given, key=SCOPE_FIELDS.index):
            noun = self._meta.get_field(name).verbose_name
            errors[name] = f"A {role} is held for {_a(noun)}: choose one."
        for name in sorted(given - shape, key=SCOPE_FIELDS.index):
            noun = self._meta.get_field(name).verbose_name
            errors[name] = f"A {role} is not held for {_a(noun)}: leave it empty."
        mismatched = self.plan_id and self.party_id and self.party.plan_id != self.plan_id
        if mismatched and "party" not in errors:
            errors["party"] = f"{self.party} is a party of another plan: choose one of {self.plan}."
        if errors:
            raise ValidationError(errors)

    @property
    def scope_label(self) -> str:
        parts = [str(getattr(self, name)) for name in SCOPE_FIELDS if getattr(self, f"{name}_id")]
        return ", ".join(parts) or "nationwide"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.ends_on is None or self.ends_on > on


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Links that still work: neither used, nor voided, nor expired."""
        return self.filter(
            used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use link by which an invited person sets their password. Only a hash of the
    link's secret is stored, so the table cannot be read back into working links."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer link replaces this one, or the person is deactivated.
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation for {self.user}"

    @property
    def state(self) -> str:
        """Why the link works or not: "open", "used", "voided" or "expired"."""
        if self.used_at:
            return "used"
        if self.voided_at:
            return "voided"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class EmailKind(models.TextChoices):
    """The e-mails a person may choose to receive in a digest. Invitations, new roles and
    messages about their password or address are not among them: they are always sent at
    once."""

    STEPS = "steps", "Joining steps waiting on you"
    JOIN_REQUESTS = "join_requests", "Employers asking to join"
    POLICY_CHECKS = "policy_checks", "New policies to assess"
    REMINDERS = "reminders", "Reminders of work due or overdue"


EMAIL_KIND_HINTS = {
    EmailKind.STEPS: "A proposal to endorse, a position to record, a case that needs someone "
    "in scope, or a case you proposed that has finished.",
    EmailKind.JOIN_REQUESTS: "An employer in your area asks to join a scheme from the public site.",
    EmailKind.POLICY_CHECKS: "A member employer's new policy or initiative has been logged "
    "for the unions to assess.",
    EmailKind.REMINDERS: "Reviews coming up or overdue, activities and plan actions overdue, "
    "confirmations and joining steps waiting too long.",
}


# Who can receive each kind, read from its senders: joining steps go to whoever a step waits on
# (enrolments/process.py), to national officers when nobody in scope can take one, and to the
# proposer when a case finishes (enrolments/notifications.py); requests to join to the lead
# union's local secretary, or its national officers (enrolments/join_requests.py); new policies to
# the local secretary, and detriments to the national officers (membership/policy_checks.py);
# reminders to the parties to a review, to whoever a waiting step or a plan action concerns
# (notifications/reminders.py). An auditor receives none of them.
EMAIL_KIND_ROLES = {
    EmailKind.STEPS: frozenset(
        {
            Role.WORKPLACE_REP,
            Role.LOCAL_SECRETARY,
            Role.NEM,
            Role.PARTNER_REP,
            Role.NATIONAL_OFFICER,
            Role.EMPLOYER_CONTACT,
        }
    ),
    EmailKind.JOIN_REQUESTS: frozenset({Role.LOCAL_SECRETARY, Role.NATIONAL_OFFICER}),
    EmailKind.POLICY_CHECKS: frozenset({Role.LOCAL_SECRETARY, Role.NATIONAL_OFFICER}),
    EmailKind.REMINDERS: frozenset(
        {
            Role.WORKPLACE_REP,
            Role.LOCAL_SECRETARY,
            Role.NEM,
            Role.PARTNER_REP,
            Role.NATIONAL_OFFICER,
            Role.EMPLOYER_CONTACT,
            Role.PLAN_OWNER,
            Role.PLAN_MEMBER,
        }
    ),
}


class Frequency(models.TextChoices):
    AT_ONCE = "at_once", "At once, one e-mail each time"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest"


class EmailPreference(models.Model):
    """How often a person receives one kind of e-mail; no row means at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.get_frequency_display().lower()}"


class HeldEmailQuerySet(models.QuerySet):
    def waiting(self) -> HeldEmailQuerySet:
        return self.filter(bundled_at__isnull=True)


class HeldEmail(models.Model):
    """An e-mail held for a person's digest: its content as it would have been sent, until
    the daily run bundles it (`accounts/emails.py`, `send_digests`) and records the digest
    it went out in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="held_emails")
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    reason = models.CharField(max_length=500)
    # Set once, in the transaction that queues the digest: what makes a held e-mail go out in
    # exactly one digest.
    bundled_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "core.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = HeldEmailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["bundled_at", "frequency", "user"], name="held_email_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.subject}"


# A person's own changes to their two-factor sign-in are made by allauth's views; its signals
# put them on the audit trail like every other change (never the secret or the codes).
_AUTHENTICATOR_CHANGES = {
    mfa_signals.authenticator_added: ("added", "set up"),
    mfa_signals.authenticator_removed: ("removed", "turned off"),
    mfa_signals.authenticator_reset: ("reset", "made new"),
}


def audit_authenticator_change(
    sender: Any, signal: Any, user: User, authenticator: Any, **kwargs: Any
) -> None:
    change, verb = _AUTHENTICATOR_CHANGES[signal]
    kind = {"totp": "authenticator app"}.get(authenticator.type, "recovery codes")
    before, after = {"added": (None, kind), "removed": (kind, None)}.get(change, (kind, kind))
    # allauth sends these once its own transaction has committed: the event gets its own.
    with transaction.atomic():
        audit.log_action(
            user,
            f"user.authenticator_{change}",
            actor=user,
            summary=f"{user} {verb} {kind}",
            changes={"authenticator": [before, after]},
            internal=True,
        )


for _signal in _AUTHENTICATOR_CHANGES:
    _signal.connect(audit_authenticator_change, dispatch_uid="accord-authenticator-audit")
