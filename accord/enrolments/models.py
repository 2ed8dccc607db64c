"""An employer's way into a scheme: the enrolment and what is recorded along the way."""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role
from accord.core.text import shorten
from accord.organisations.models import Association, Employer, EmployerKind, LocalAuthority, Union
from accord.schemes.models import Material, Scheme

from .process import CLOSED_STATES, STEPS, STEPS_BY_NAME, State

if TYPE_CHECKING:
    from accord.membership.models import Cycle

# What an employer accepts, on confirming its commitment, about the scheme's logo: the form asks
# for it in these words, and the logo pack's guide repeats them.
LOGO_TERMS = (
    "the scheme's logo may be used only while our membership is active, and we will stop "
    "using it if asked."
)


class Initiator(models.TextChoices):
    UNION = "union", "A union representative identified the employer"
    EMPLOYER = "employer", "The employer asked to join"


class ApproachMethod(models.TextChoices):
    JCC = "jcc", "An item on the agenda of the employer's JCC (or equivalent)"
    JOINT_LETTER = "joint_letter", "A joint letter from the unions"


class EnrolmentQuerySet(models.QuerySet):
    def open(self) -> EnrolmentQuerySet:
        return self.exclude(state__in=CLOSED_STATES)


class Enrolment(models.Model):
    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "reason": "the case's record of why it was proposed, which the unions act on",
        "exception_reason": "the recorded exception the case went ahead under",
        "closed_reason": "why the case was closed, which the employer may ask about",
    }
    # The unions' own reasons: never shown to the employer's side, in a page or in a download
    # of a person's data (accounts/subject_access.py); blanked once a closed case is old
    # (membership/retention.py).
    UNION_ONLY_FIELDS = ("reason", "exception_reason", "closed_reason")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="enrolments")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(max_length=30, choices=State.choices, default=State.PROPOSED)
    state_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    initiated_by = models.CharField(
        max_length=20, choices=Initiator.choices, default=Initiator.UNION
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposed_enrolments"
    )
    reason = models.TextField("why the employer is suitable", blank=True)
    # A school inside an academy trust is not the employer; it may go ahead only as an exception.
    exception_reason = models.TextField(blank=True)

    approach_method = models.CharField(max_length=20, choices=ApproachMethod.choices, blank=True)
    jcc_name = models.CharField("JCC or equivalent", max_length=200, blank=True)
    jcc_meeting_date = models.DateField(null=True, blank=True)
    letter_date = models.DateField(null=True, blank=True)
    # Whom the joint letter is addressed to: the head teacher or chief executive, by name.
    addressee_name = models.CharField("addressee's name", max_length=200, blank=True)
    addressee_job_title = models.CharField("addressee's job title", max_length=200, blank=True)
    introduced_on = models.DateField(null=True, blank=True)
    materials_sent = models.ManyToManyField(Material, blank=True, related_name="+")
    joined_on = models.DateField(null=True, blank=True)
    national_notified_on = models.DateField(null=True, blank=True)
    listed_on = models.DateField(null=True, blank=True)
    logo_sent_on = models.DateField(null=True, blank=True)
    logo_terms_accepted_at = models.DateTimeField(null=True, blank=True)
    logo_terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "employer"],
                condition=~Q(state__in=sorted(CLOSED_STATES)),
                name="one_open_enrolment_per_employer_and_scheme",
            )
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="enrolment_waiting_idx")]

    def __str__(self) -> str:
        return f"{self.employer} — {self.scheme}"

    def get_absolute_url(self) -> str:
        return reverse("enrolment", args=[self.pk])

    @property
    def audit_context(self) -> str:
        return f"enrolment:{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def state_since(self) -> datetime.date:
        """The day the enrolment reached its state: the date recorded with the step that led
        there when it asks for one (the listing date, the joining date), else the day the step
        was taken. The membership's dates come from the same recorded date."""
        for s in STEPS:
            if s.date_field and self.state in s.targets:
                recorded = getattr(self, s.date_field)
                if recorded is not None:
                    return recorded
        return timezone.localtime(self.state_changed_at).date()

    @cached_property
    def positions_by_union(self) -> dict[int, PartnerPosition]:
        return {p.union_id: p for p in self.partner_positions.all()}

    def forget_positions(self) -> None:
        """Drop the loaded positions after they change, so they are read afresh."""
        self.__dict__.pop("positions_by_union", None)
        getattr(self, "_prefetched_objects_cache", {}).pop("partner_positions", None)

    def pending_partner_union_ids(self) -> set[int]:
        partners = {u.pk for u in self.scheme.partner_unions.all()}
        return partners - set(self.positions_by_union)

    @property
    def first_cycle(self) -> Cycle | None:
        cycles = [c for c in self.cycles.all() if c.number == 1]
        return cycles[0] if cycles else None

    def cosigning_unions(self) -> list[Union]:
        """The partner unions represented locally: those whose representative agreed to the
        approach (the secretary marks the others not represented, and a disagreement closes
        the case). Each co-signs the commitment, every later cycle and every review."""
        positions = self.positions_by_union
        return [
            u
            for u in self.scheme.partner_unions.all()
            if u.pk in positions and positions[u.pk].position == Position.AGREE
        ]

    def signing_unions(self) -> list[Union]:
        """The unions the joint letter and the agenda item are signed for: the lead union and
        each partner union that co-signs (`cosigning_unions`), never merely every partner union
        of the scheme."""
        return [self.scheme.lead_union, *self.cosigning_unions()]


class Position(models.TextChoices):
    AGREE = "agree", "Agrees"
    DISAGREE = "disagree", "Disagrees"
    NOT_REPRESENTED = "not_represented", "Not represented locally"


class PartnerPosition(models.Model):
    """A partner union's position on an enrolment. Read by that union's roles and the lead
    union's officers (`rules.can_see_position`)."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "reasons": "the partner union's decision on the case, not the representative's own"
    }

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="partner_positions"
    )
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=20, choices=Position.choices)
    reasons = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["union__short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "union"], name="one_position_per_partner_union"
            )
        ]

    def __str__(self) -> str:
        return f"{self.union}: {self.get_position_display()}"


class InitialMeeting(models.Model):
    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "attendees": "the record of who met the employer (the erased name is replaced)"
    }

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="initial_meetings"
    )
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on:%d %B %Y}"


class Note(models.Model):
    """An internal note: union roles only."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return shorten(self.text, 50)


class JoinRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the local secretary"
    PROPOSED = "proposed", "Turned into a proposal"
    CLOSED = "closed", "Closed"


class JoinRequest(models.Model):
    """An employer's request to join, sent from the public home page: it waits on the local
    secretary of the employer's area, who turns it into a proposal or closes it with a reason.

    It keeps what the requester typed, as they typed it, and the area it was routed to."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "message": "the employer's own request, not the handler's",
        "closed_reason": "why the employer's request was closed, which it may ask about",
    }

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="join_requests")
    employer_name = models.CharField("employer name", max_length=200)
    kind = models.CharField("kind of employer", max_length=30, choices=EmployerKind.choices)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="join_requests"
    )
    urn = models.CharField("URN", max_length=10, blank=True)
    contact_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150)
    email = models.EmailField("e-mail address")
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField()
    # Where it was routed: the employer matched by URN, and the association whose secretary
    # takes it up (none: the national officers see it among the cases nobody can act on).
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="join_requests"
    )
    association = models.ForeignKey(
        Association,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_requests",
    )
    status = models.CharField(
        max_length=20, choices=JoinRequestStatus.choices, default=JoinRequestStatus.OPEN
    )
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_reason = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "association"], name="join_request_waiting_idx")]

    def __str__(self) -> str:
        return f"{self.employer_name} asks to join {self.scheme}"

    def get_absolute_url(self) -> str:
        return reverse("join-request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == JoinRequestStatus.OPEN


class Escalation(models.Model):
    """A joining step that waited too long, escalated once to the role above it: the daily
    run records it (`notifications.reminders`), and it stays on the target's task list until
    the step is taken. A later stall, on another step or after the enrolment moved on, is a
    new escalation."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(max_length=50)  # a step's name in process.STEPS
    # When the enrolment reached the state the step waits in: the stall this escalation is for.
    since = models.DateTimeField()
    role = models.CharField("escalated to", max_length=30, choices=Role.choices)
    escalated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["escalated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "step", "since"], name="each_stall_escalated_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.step} escalated to {self.get_role_display()}"

    @property
    def step_label(self) -> str:
        return STEPS_BY_NAME[self.step].label
