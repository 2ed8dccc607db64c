"""Membership after joining: the member's status on the register, and its cycles (the
commitment agreed at joining is cycle 1)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accord.enrolments import inline
from accord.enrolments.models import Enrolment
from accord.organisations.models import Employer, Union
from accord.schemes.models import PrincipleVersion, Scheme

# Letters and digits that cannot be mistaken for one another when read aloud or printed.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Member"
    SUSPENDED = "suspended", "Suspended"
    # A review overdue beyond the scheme's grace period, and a national officer's decision.
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MembershipQuerySet(models.QuerySet):
    def on_register(self) -> MembershipQuerySet:
        """Members, suspended and lapsed members; withdrawn employers leave the register."""
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


class CoSigned:
    """What a cycle and a review share: the partner unions' co-signatures (`Signature`)."""

    partners_signed_at: datetime.datetime | None

    def signed_enrolment(self) -> Enrolment:
        raise NotImplementedError

    def cosignatures(self) -> list[tuple[Union, Signature | None]]:
        """Each partner union represented locally with its co-signature, None while it is
        still to come; once all have co-signed, those that did (a cycle or review from before
        co-signing has none)."""
        by_union = {s.union_id: s for s in self.signatures.all()}  # type: ignore[attr-defined]
        unions = self.signed_enrolment().cosigning_unions()
        if self.partners_signed_at is not None:
            return [(u, by_union[u.pk]) for u in unions if u.pk in by_union]
        return [(u, by_union.get(u.pk)) for u in unions]


class Cycle(CoSigned, models.Model):
    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "objectives": "agreed between the employer and the unions",
        "success_criteria": "agreed between the employer and the unions",
    }

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
    # When the last partner union represented locally co-signed the terms (`Signature`); set
    # as the cycle is drafted when no partner union is to co-sign.
    partners_signed_at = models.DateTimeField(null=True, blank=True)
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
    def unions_confirmed(self) -> bool:
        """Confirmed for the unions: by the lead union's local secretary and co-signed by
        each partner union represented locally."""
        return self.union_confirmed_at is not None and self.partners_signed_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.unions_confirmed and self.employer_confirmed_at is not None

    def signed_enrolment(self) -> Enrolment:
        return self.enrolment

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


class PrincipleAssessment(models.Model):
    """A view of one principle: where the employer is now, its priority this year, in words."""

    principle_version = models.ForeignKey(
        PrincipleVersion, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.CharField(max_length=20, choices=Readiness.choices)
    priority = models.CharField(max_length=20, choices=Priority.choices)
    narrative = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.principle_version.principle}: {self.get_readiness_display()}"


class SelfAssessment(PrincipleAssessment):
    """The employer's own view of one principle at the start of a cycle, as drafted."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="self_assessments")

    class Meta:
        ordering = ["cycle", "principle_version__principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "principle_version"], name="one_self_assessment_per_principle"
            )
        ]


class EmployerView(models.Model):
    """The employer's own priorities for the year ahead and its self-assessment against every
    principle, entered by its contact before the unions draft the cycle it prepares (cycle 1
    is the commitment). It stays as the employer wrote it: the cycle's self-assessments are
    the version as drafted."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {"priorities": "the employer's own statement"}

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


class EmployerAssessment(PrincipleAssessment):
    """The employer's own view of one principle, in its view for a cycle to come."""

    view = models.ForeignKey(EmployerView, on_delete=models.CASCADE, related_name="assessments")

    class Meta:
        ordering = ["view", "principle_version__principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["view", "principle_version"], name="one_employer_assessment_per_principle"
            )
        ]


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


class Review(CoSigned, models.Model):
    """The review at the end of a cycle. A cycle that is extended is reviewed again later."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "evidence": "the review's outcome, confirmed by both sides",
        "notes": "the review's outcome, confirmed by both sides",
        "employer_comment": "the employer's own words",
    }

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
    # When the last partner union represented locally co-signed the review (the secretary's
    # record is the lead union's); the employer confirms only after that.
    partners_signed_at = models.DateTimeField(null=True, blank=True)
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

    def objective_outcomes(self) -> list[ObjectiveOutcome]:
        """Its objectives' outcomes in order: those read with it (`objectives_read`, see
        `selectors._cycles`) where its query read them, else read now."""
        if not hasattr(self, "objectives_read"):
            return list(self.objectives.all())
        found = inline.instances(ObjectiveOutcome, self.objectives_read)
        return sorted(found, key=lambda o: (o.position, o.pk))

    @property
    def is_confirmed(self) -> bool:
        return self.employer_confirmed_at is not None

    def signed_enrolment(self) -> Enrolment:
        return self.cycle.enrolment


class Signature(models.Model):
    """A partner union's co-signature of a cycle's terms or of a review, given by one of its
    representatives in the area. The lead union's part is its local secretary's: confirming
    the cycle (`Cycle.union_confirmed_by`) or recording the review."""

    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["union__short_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cycle__isnull=False, review__isnull=True)
                | models.Q(cycle__isnull=True, review__isnull=False),
                name="signature_of_a_cycle_or_a_review",
            ),
            models.UniqueConstraint(
                fields=["cycle", "union"],
                condition=models.Q(cycle__isnull=False),
                name="one_signature_per_union_and_cycle",
            ),
            models.UniqueConstraint(
                fields=["review", "union"],
                condition=models.Q(review__isnull=False),
                name="one_signature_per_union_and_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} co-signed, {self.signed_at:%d %B %Y}"


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

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "description": "the employer's policy as logged",
        "reasoning": "the unions' assessment, on which a concern or suspension may rest",
        "union_response": "the unions' response sent to the employer",
    }

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


class LapseOutcome(models.TextChoices):
    """What became of a decision "extend or lapse"; empty while it waits for an officer."""

    EXTEND = "extend", "Extended to a new date"
    LAPSE = "lapse", "Lapsed"
    REVIEWED = "reviewed", "Overtaken: the review was confirmed"


class LapseDecision(models.Model):
    """A review overdue beyond the scheme's grace period, put to the national officers:
    extend to a new date, or lapse. One per cycle and due date (the occasion): a cycle
    extended to a new date that is again overdue is a new occasion."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {"reasons": "the grounds of a decision on membership, open to challenge"}

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="lapse_decisions"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="lapse_decisions")
    review_due_on = models.DateField(help_text="The cycle's end when the decision was opened.")
    grace_ended_on = models.DateField()
    opened_on = models.DateField(help_text="The day of the daily run that opened it.")
    opened_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20, choices=LapseOutcome.choices, blank=True)
    reasons = models.TextField(blank=True, help_text="Internal: never shown publicly.")
    extended_to = models.DateField(null=True, blank=True)
    logo_stop_requested_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["grace_ended_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "review_due_on"], name="one_lapse_decision_per_occasion"
            )
        ]
        indexes = [
            # Decisions waiting for an officer: few among many.
            models.Index(
                fields=["grace_ended_on"],
                condition=models.Q(outcome=""),
                name="lapse_decision_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Extend or lapse: {self.membership.employer} (review due {self.review_due_on})"

    def get_absolute_url(self) -> str:
        return reverse("lapse-decision", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return not self.outcome


# --- concerns ------------------------------------------------------------------------------


class ConcernState(models.TextChoices):
    """A concern's states; the steps between them are declared in `concerns.STEPS`."""

    UNCONFIRMED = "unconfirmed", "Waiting for the e-mail address to be confirmed"
    OPEN = "open", "Open: with the national officers"
    PUT_TO_EMPLOYER = "put_to_employer", "Put to the employer for a response"
    RESPONDED = "responded", "The employer has responded"
    DECIDED = "decided", "Decided"
    APPEALED = "appealed", "Appealed"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    EXPIRED = "expired", "Never confirmed: closed"


class ConcernOutcome(models.TextChoices):
    NO_ACTION = "no_action", "No action"
    REMEDIES = "remedies", "Remedies agreed"
    SUSPENSION = "suspension", "Suspension"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class AppealSide(models.TextChoices):
    RAISER = "raiser", "The person who raised the concern"
    EMPLOYER = "employer", "The employer"


class Concern(models.Model):
    """A concern that a member acts against the principles. Confidential to the national
    officers of the scheme's lead union; the raiser sees its state, and the employer what it
    is about once an officer puts it to them (never who raised it)."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    # What a download of their data leaves out for whoever the concern points to: who raised
    # it reads its state and outcome only, as on its page; the officers who decided it do not
    # get who raised it, another person's data (accounts/subject_access.py).
    SUBJECT_ACCESS_WITHHELD = {
        "raised_by": (
            "put_note",
            "response",
            "responded_at",
            "reasons",
            "decided_by",
            "appeal_grounds",
            "appeal_reasons",
            "appeal_decided_by",
            "changed_status",
        ),
        "decided_by": ("raised_by", "raiser_name", "raiser_email"),
        "appeal_decided_by": ("raised_by", "raiser_name", "raiser_email"),
    }
    PERSONAL_TEXT_KEPT = {
        "subject": "a complaint and its decision: kept for its appeal and any legal claim",
        "put_note": "a complaint and its decision: kept for its appeal and any legal claim",
        "response": "a complaint and its decision: kept for its appeal and any legal claim",
        "reasons": "a complaint and its decision: kept for its appeal and any legal claim",
        "appeal_grounds": "a complaint and its decision: kept for any legal claim",
        "appeal_reasons": "a complaint and its decision: kept for any legal claim",
    }

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="concerns")
    # A signed-in raiser, or a member of the public known by a name and a confirmed address.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raiser_name = models.CharField(max_length=200, blank=True)
    raiser_email = models.EmailField(blank=True)
    subject = models.TextField(help_text="What the concern is about.")
    principles = models.ManyToManyField(PrincipleVersion, blank=True, related_name="+")
    state = models.CharField(
        max_length=20, choices=ConcernState.choices, default=ConcernState.UNCONFIRMED
    )
    raised_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    put_at = models.DateTimeField(null=True, blank=True)
    put_note = models.TextField(blank=True, help_text="What the employer is asked to answer.")
    response_due_on = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ConcernOutcome.choices, blank=True)
    reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whether the decision suspended or withdrew the membership (an appeal reinstates only then).
    changed_status = models.BooleanField(default=False)
    appeal_side = models.CharField(max_length=20, choices=AppealSide.choices, blank=True)
    appeal_grounds = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_outcome = models.CharField(max_length=20, choices=ConcernOutcome.choices, blank=True)
    appeal_reasons = models.TextField(blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(raised_by__isnull=False)
                | (~models.Q(raiser_name="") & ~models.Q(raiser_email="")),
                name="concern_raised_by_someone",
            ),
            models.CheckConstraint(
                condition=~models.Q(appeal_decided_by=models.F("decided_by")),
                name="concern_appeal_decided_by_another_officer",
            ),
        ]
        indexes = [models.Index(fields=["state", "response_due_on"], name="concern_state_idx")]

    def __str__(self) -> str:
        return f"Concern about {self.membership.employer}"

    def get_absolute_url(self) -> str:
        return reverse("concern", args=[self.pk])

    @property
    def title(self) -> str:
        """How reminders and lists name it: never by who raised it."""
        return f"a concern about {self.membership.employer.name}"

    @property
    def audit_context(self) -> str:
        # Its own history, never the member's: reps and secretaries read the member's timeline.
        return f"concern:{self.pk}"

    @property
    def final_outcome(self) -> str:
        return self.appeal_outcome or self.outcome

    def get_final_outcome_display(self) -> str:
        return ConcernOutcome(self.final_outcome).label if self.final_outcome else ""


class ConcernEvent(models.Model):
    """One step in a concern's life, shown on the officers' page of the concern."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "text": "the history of a complaint: kept for its appeal and any legal claim"
    }

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text


def concern_evidence_path(instance: ConcernEvidence, filename: str) -> str:
    # Stored under a random name: the uploaded name is never used as a path.
    return f"concerns/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


class ConcernEvidence(models.Model):
    """A file given with a concern (by whoever raised it) or with the employer's response."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="evidence")
    side = models.CharField(max_length=20, choices=AppealSide.choices)
    file = models.FileField(upload_to=concern_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Set when the file was deleted under the retention rules (`manage.py apply_retention`);
    # the row stays, saying so.
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["concern", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("concern-evidence", args=[self.pk])
