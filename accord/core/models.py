"""The append-only, hash-chained audit trail that every change in Accord writes to."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    def for_context(self, context: str) -> AuditEventQuerySet:
        return self.filter(context=context).select_related("actor").order_by("created_at", "id")

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    """One change: who, when, what, before and after.

    Rows are never updated or deleted (the model refuses, and database triggers refuse too).
    Each row carries the hash of its predecessor, so any later edit of a row breaks the chain
    and `manage.py verify_audit` finds it.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(max_length=100)
    summary = models.CharField(max_length=300)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    # The record whose history this event belongs to, e.g. "enrolment:42"; timelines read it.
    context = models.CharField(max_length=100, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    # Internal events are union deliberations: never shown to employer contacts.
    internal = models.BooleanField(default=False)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def compute_hash(self) -> str:
        payload = {
            "previous": self.previous_hash,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "action": self.action,
            "summary": self.summary,
            "target": f"{self.target_type}:{self.target_id}",
            "context": self.context,
            "changes": self.changes,
            "note": self.note,
            "internal": self.internal,
        }
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


class Submission(models.Model):
    """A form submission that made something, by the token its form carried: a second POST
    with the same token (a double click, a resend) finds it and shows what the first made.
    The unique constraint is what stops two concurrent POSTs both making a record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="submission_unique_token")
        ]

    def __str__(self) -> str:
        return self.token
