"""The one action model: an activity of a cycle (and, later, a plan's workplan action)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accord.membership.models import Cycle


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField()
    detail = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who is responsible.")
    due_on = models.DateField()
    due_wording = models.CharField(
        max_length=100, blank=True, help_text="The due date as originally worded."
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="action_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gt=0), name="action_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.detail[:60]}"

    @property
    def is_overdue(self) -> bool:
        open_statuses = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
        return self.status in open_statuses and self.due_on < timezone.localdate()
