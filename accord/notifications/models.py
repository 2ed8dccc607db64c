"""Reminders sent (so that none is sent twice) and each user's calendar feed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class ReminderKind(models.TextChoices):
    REVIEW_SOON = "review_soon", "Review due in 30 days"
    REVIEW_DUE = "review_due", "Review due today"
    REVIEW_ESCALATED_SECRETARY = "review_escalated_secretary", "Overdue review: escalated"
    REVIEW_ESCALATED_NEM = "review_escalated_nem", "Overdue review: escalated to the NEM"
    ACTIVITY_OVERDUE = "activity_overdue", "Activity overdue"
    CONFIRMATION_WAITING = "confirmation_waiting", "Confirmation waiting"
    STEP_WAITING = "step_waiting", "Joining step waiting"
    LAPSE_DECISION = "lapse_decision", "Overdue review: put to the national officers"
    STEP_ESCALATED = "step_escalated", "Joining step escalated"
    PLAN_ACTION_DUE = "plan_action_due", "Plan action due in a week"
    PLAN_ACTION_OVERDUE = "plan_action_overdue", "Plan action overdue"
    PLAN_REVIEW_DUE = "plan_review_due", "Plan review due"
    CONCERN_RESPONSE_SOON = "concern_response_soon", "Response to a concern due in a week"
    CONCERN_RESPONSE_OVERDUE = "concern_response_overdue", "Concern: the response is overdue"
    REMEDY_OVERDUE = "remedy_overdue", "Concern: a remedy agreed is overdue"


class SentReminder(models.Model):
    """One reminder about one item, sent to one person, once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=40, choices=ReminderKind.choices)
    # The item and the occasion, e.g. "review_due:cycle:12:2027-08-31": a new due date (an
    # extension) is a new occasion.
    key = models.CharField(max_length=200)
    context = models.CharField(max_length=100, db_index=True)
    text = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="each_reminder_sent_once")
        ]
        # Each run looks up, by key, which of today's reminders went out before.
        indexes = [models.Index(fields=["key"], name="sent_reminder_key_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.text}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret address for a user's due dates in any calendar program; revoked by replacing
    the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"
