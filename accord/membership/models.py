"""Membership after joining: the member's status on the register, and its cycles (the
commitment agreed at joining is cycle 1)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from accord.enrolments.models import Enrolment
from accord.organisations.models import Employer
from accord.schemes.models import PrincipleVersion, Scheme

# Letters and digits that cannot be mistaken for one another when read aloud or printed.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Member"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MembershipQuerySet(models.QuerySet):
    def on_register(self) -> MembershipQuerySet:
        """Members and suspended members; withdrawn employers leave the register."""
        return self.exclude(status=MembershipStatus.WITHDRAWN)


class Membership(models.Model):
    """An employer's membership of a scheme, from its first listing on.

    The reference is public and stable: the verification page that logos and certificates link
    to is addressed by it, and it survives a withdrawal and a later return.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="memberships")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="memberships")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=12, unique=True)
    status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    member_since = models.DateField()
    status_since = models.DateField()
    status_reason = models.TextField(blank=True, help_text="Internal: never shown publicly.")
    logo_stop_requested_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["employer__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "employer"], name="one_membership_per_employer_and_scheme"
            )
        ]
        indexes = [models.Index(fields=["scheme", "status"], name="membership_register_idx")]

    def __str__(self) -> str:
        return f"{self.employer} — {self.scheme} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("verification", args=[self.reference])

    @property
    def is_member(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @staticmethod
    def new_reference(scheme: Scheme) -> str:
        prefix = scheme.slug.upper()[:4]
        while True:
            reference = f"{prefix}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
            if not Membership.objects.filter(reference=reference).exists():
                return reference


class Cycle(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField()
    # The wording agreed stays with the cycle even when the principle is later reworded.
    principle_version = models.ForeignKey(
        PrincipleVersion, on_delete=models.PROTECT, related_name="cycles"
    )
    objectives = models.TextField()
    success_criteria = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    union_confirmed_at = models.DateTimeField(null=True, blank=True)
    union_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_confirmed_at = models.DateTimeField(null=True, blank=True)
    employer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="cycle_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="cycle_ends_after_it_starts",
            ),
        ]
        indexes = [
            # Reviews due, the calendar's window, reminders: cycles by when they end.
            models.Index(fields=["ends_on"], name="cycle_ends_idx"),
            # Cycles waiting for the employer's confirmation: few among many.
            models.Index(
                fields=["enrolment"],
                condition=models.Q(employer_confirmed_at__isnull=True),
                name="cycle_unconfirmed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}: {self.principle_version.principle}"

    def summary(self) -> str:
        principle = self.principle_version.principle
        return (
            f"Principle {principle.number} ({principle.short_title}), "
            f"{self.starts_on} to {self.ends_on}"
        )

    @property
    def is_confirmed(self) -> bool:
        return self.union_confirmed_at is not None and self.employer_confirmed_at is not None

    def objective_list(self) -> list[str]:
        """The objectives, one per line as agreed."""
        return [line.strip(" -•\t") for line in self.objectives.splitlines() if line.strip(" -•\t")]


class Readiness(models.TextChoices):
    NOT_YET = "not_yet", "Not yet in place"
    PARTLY = "partly", "Partly in place"
    IN_PLACE = "in_place", "In place"


class Priority(models.TextChoices):
    HIGH = "high", "High priority this year"
    MEDIUM = "medium", "Some work this year"
    LOW = "low", "Not a priority this year"


class SelfAssessment(models.Model):
    """The employer's own view of one principle at the start of a cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="self_assessments")
    principle_version = models.ForeignKey(
        PrincipleVersion, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.CharField(max_length=20, choices=Readiness.choices)
    priority = models.CharField(max_length=20, choices=Priority.choices)
    narrative = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "principle_version__principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "principle_version"], name="one_self_assessment_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principle_version.principle}: {self.get_readiness_display()}"


class EmployerView(models.Model):
    """The employer's own priorities for the year ahead and its self-assessment against every
    principle, entered by its contact before the unions draft the cycle it prepares (cycle 1
    is the commitment). It stays as the employer wrote it: the cycle's self-assessments are
    the version as drafted."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="employer_views"
    )
    cycle_number = models.PositiveSmallIntegerField()
    priorities = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment", "cycle_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "cycle_number"], name="one_employer_view_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"The employer's view for cycle {self.cycle_number}"

    def get_absolute_url(self) -> str:
        return reverse("employer-view", args=[self.enrolment_id, self.cycle_number])


class EmployerAssessment(models.Model):
    """The employer's own view of one principle, in its view for a cycle to come."""

    view = models.ForeignKey(EmployerView, on_delete=models.CASCADE, related_name="assessments")
    principle_version = models.ForeignKey(
        PrincipleVersion, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.CharField(max_length=20, choices=Readiness.choices)
    priority = models.CharField(max_length=20, choices=Priority.choices)
    narrative = models.TextField(blank=True)

    class Meta:
        ordering = ["view", "principle_version__principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["view", "principle_version"], name="one_employer_assessment_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principle_version.principle}: {self.get_readiness_display()}"


class Outcome(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"


class Decision(models.TextChoices):
    NEXT_CYCLE = "next_cycle", "Begin the next cycle"
    EXTEND = "extend", "Extend this cycle"
    REVISE = "revise", "A revised objective on the same principle"


class NextCycleRule(models.TextChoices):
    """What the latest confirmed review allows the next cycle to work on."""

    NONE = "none", "No next cycle yet: the review must be confirmed first"
    DIFFERENT = "different", "A different principle: the objective was met"
    SAME = "same", "The same principle: a revised objective"


class Side(models.TextChoices):
    """The two sides that confirm a cycle (and whose confirmation fields it carries)."""

    UNION = "union", "The unions"
    EMPLOYER = "employer", "The employer"


# A principle is met when a review says so and the employer has confirmed it (a condition, so
# that the register's rows, also built by a migration's historical models, share it).
MET = models.Q(outcome=Outcome.MET, employer_confirmed_at__isnull=False)


class ReviewQuerySet(models.QuerySet):
    def met(self) -> ReviewQuerySet:
        return self.filter(MET)


class Review(models.Model):
    """The review at the end of a cycle. A cycle that is extended is reviewed again later."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    evidence = models.TextField()
    notes = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    extended_to = models.DateField(null=True, blank=True, help_text="The cycle's new end.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    employer_confirmed_at = models.DateTimeField(null=True, blank=True)
    employer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_comment = models.TextField(
        blank=True, help_text="The employer's comment, given as it confirms the review."
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="met") | models.Q(decision="next_cycle"),
                name="a_met_review_leads_to_the_next_cycle",
            )
        ]
        indexes = [
            # A cycle's latest review, read for each cycle a task list or reminder considers.
            models.Index(fields=["cycle", "held_on"], name="review_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.cycle}: {self.get_outcome_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.employer_confirmed_at is not None


class ObjectiveOutcome(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    objective = models.TextField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["review", "position"]

    def __str__(self) -> str:
        return f"{self.objective[:40]}: {self.get_outcome_display()}"


class Assessment(models.TextChoices):
    CONSISTENT = "consistent", "Consistent with the principles"
    DETRIMENT = "detriment", "A detriment identified"


class PolicyCheck(models.Model):
    """A member's new policy or initiative, assessed against the principles."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="policy_checks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    introduced_on = models.DateField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    assessment = models.CharField(max_length=20, choices=Assessment.choices, blank=True)
    principles = models.ManyToManyField(PrincipleVersion, blank=True, related_name="+")
    reasoning = models.TextField(blank=True)
    union_response = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-logged_at", "-id"]
        indexes = [
            # Policy checks waiting for the secretary's assessment: few among many.
            models.Index(
                fields=["membership"],
                condition=models.Q(assessment=""),
                name="policy_check_unassessed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policy-check", args=[self.pk])

    @property
    def is_assessed(self) -> bool:
        return bool(self.assessment)
