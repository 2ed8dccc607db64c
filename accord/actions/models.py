"""The one action model: an activity of a member's cycle, or a numbered action of a joint
action plan's workplan. Owner, due date, status and dated progress are the same for both."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accord.core.text import shorten


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


# An action still to be done; an open action past its due date is overdue.
OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Action(models.Model):
    # An action belongs to exactly one of a cycle, a plan or a concern (a remedy agreed in its
    # decision). All sit above actions (they create actions), so they are named here by label
    # rather than imported.
    cycle = models.ForeignKey(
        "membership.Cycle", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    concern = models.ForeignKey(
        "membership.Concern",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="remedies",
    )
    number = models.PositiveIntegerField()
    detail = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who is responsible.")
    owner_party = models.ForeignKey(
        "plans.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    commitments = models.ManyToManyField("plans.Commitment", blank=True, related_name="actions")
    due_on = models.DateField()
    due_wording = models.CharField(
        max_length=100, blank=True, help_text="The due date as originally worded."
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    # The cells an imported action was read from, as written: {column: [line, text]}.
    source = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "plan", "concern", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="action_unique_number"),
            models.UniqueConstraint(fields=["plan", "number"], name="action_unique_plan_number"),
            models.UniqueConstraint(
                fields=["concern", "number"], name="action_unique_concern_number"
            ),
            models.CheckConstraint(condition=models.Q(number__gt=0), name="action_number_positive"),
            models.CheckConstraint(
                condition=models.Q(cycle__isnull=False, plan__isnull=True, concern__isnull=True)
                | models.Q(cycle__isnull=True, plan__isnull=False, concern__isnull=True)
                | models.Q(cycle__isnull=True, plan__isnull=True, concern__isnull=False),
                name="action_in_a_cycle_a_plan_or_a_concern",
            ),
        ]
        # Task lists, reminders and calendars read members' open activities by due date. The
        # status leads rather than conditions the index, and no condition on the cycle either:
        # SQLite uses a partial index only when the query repeats its condition without
        # parameters, and a query that names the cycle there is planned from the cycles.
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.number}. {shorten(self.detail, 60)}"

    def get_absolute_url(self) -> str:
        return reverse("action", args=[self.pk])

    @property
    def label(self) -> str:
        if self.plan_id is not None:
            return f"action {self.number} of the plan"
        if self.concern_id is not None:
            return f"remedy {self.number} of a concern"
        return f"activity {self.number} of cycle {self.cycle.number}"

    @property
    def audit_context(self) -> str:
        """Whose history this action's changes belong to: the member's, the plan's, or the
        concern's (kept apart from the member's, which reps and secretaries read)."""
        if self.plan_id is not None:
            return f"plan:{self.plan_id}"
        if self.concern_id is not None:
            return f"concern:{self.concern_id}"
        return self.cycle.enrolment.audit_context

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.is_open and self.due_on < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


class ProgressUpdate(models.Model):
    """A dated note of progress on an action, from either side, perhaps with evidence."""

    # Free text its author wrote, kept when the author is erased, and on what basis.
    PERSONAL_TEXT_KEPT = {
        "text": "progress on an action, a record shared by the parties to the plan or cycle"
    }

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    status = models.CharField(
        max_length=20,
        choices=ActionStatus.choices,
        blank=True,
        help_text="The action's status set with this update, if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}: {self.text[:40]}"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    # Stored under a random name: the uploaded name is never used as a path.
    return f"evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


class EvidenceFile(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Set when the file was deleted under the retention rules (`manage.py apply_retention`);
    # the row stays, saying so.
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["update", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("evidence", args=[self.pk])
