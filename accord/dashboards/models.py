"""The monthly report of the dashboard's key figures: who asked for it, and each one sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportSubscription(models.Model):
    """A person's choice to receive the dashboard's key figures by e-mail once a month. The
    row exists while they want it; turning it off deletes it (both audited on the person)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription"
    )
    subscribed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Monthly report for {self.user}"


class SentReport(models.Model):
    """One monthly report sent to one person: at most one per person and calendar month (the
    constraint is what keeps two runs, even at once, from sending it twice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month it was sent for.")
    sent_at = models.DateTimeField(default=timezone.now)
    # The e-mail in the outbox, until the outbox forgets it.
    message = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    figures = models.JSONField(default=list, help_text="The figures sent, label and value.")

    class Meta:
        ordering = ["-month", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="one_report_per_month"),
        ]

    def __str__(self) -> str:
        return f"Report for {self.month:%B %Y} to {self.user}"
