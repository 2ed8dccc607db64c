"""The append-only, hash-chained audit trail that every change in Accord writes to."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
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

    Rows are never deleted, and never updated except by a redaction (the model refuses, and
    database triggers refuse too). Events form one chain per stream (the record whose history
    they belong to, `context`): each row carries its place in the stream and the seal of its
    predecessor, and its own seal is an HMAC over every field under a key kept outside the
    database. The free content (summary, changes, note), which may name people, is sealed
    through a digest keyed by the event's own random salt, so that erasing a person can redact
    it without breaking the chain. See `accord.core.audit` and `accord/core/README.md`.
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
    # The chain this event belongs to (its context) and its place in it, counting from 1.
    stream = models.CharField(max_length=100)
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    # HMAC-SHA256 of the event under settings.ACCORD_AUDIT_KEY (see canonical_payload).
    hash = models.CharField(max_length=64, unique=True)
    # HMAC-SHA256 of the content (summary, changes, note) keyed by `content_salt`: the seal
    # covers this digest, not the content. A redaction replaces the content and the salt, and
    # the sealed redaction event that lists the event carries the new content's digest.
    content_salt = models.CharField(max_length=64, blank=True)
    content_digest = models.CharField(max_length=64)
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # A record's timeline reads a window of its stream, newest first.
            models.Index(fields=["context", "created_at", "id"], name="audit_context_time_idx"),
        ]
        constraints = [
            # Two events can never claim the same place in a stream, so a race between two
            # writers cannot fork a chain, whatever the locking does.
            models.UniqueConstraint(fields=["stream", "sequence"], name="audit_stream_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def canonical_content(self) -> bytes:
        """The free content of the event, serialised one way only."""
        content = {"summary": self.summary, "changes": self.changes, "note": self.note}
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()

    def compute_content_digest(self) -> str:
        return content_digest(self.content_salt, self.canonical_content())

    def salt_and_digest(self) -> None:
        """Give the event a fresh salt and the digest of its content under it."""
        self.content_salt = secrets.token_hex(16)
        self.content_digest = self.compute_content_digest()

    def canonical_payload(self) -> bytes:
        """Every sealed field of the event, serialised one way only: what the seal covers.

        The content enters only through its salted digest."""
        payload = {
            "stream": self.stream,
            "sequence": self.sequence,
            "previous": self.previous_hash,
            "created_at": self.created_at.astimezone(datetime.UTC).isoformat(
                timespec="microseconds"
            ),
            "actor": self.actor_id,
            "action": self.action,
            "content": self.content_digest,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "context": self.context,
            "internal": self.internal,
        }
        return json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()

    def compute_hash(self) -> str:
        return seal(self.canonical_payload())


class AuditStreamHead(models.Model):
    """The newest event of one stream: the row that writers to that stream lock.

    Only a lock and a shortcut: verification recomputes the heads from the events themselves.
    """

    stream = models.CharField(max_length=100, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.stream} #{self.sequence}"


def seal(message: bytes) -> str:
    """HMAC-SHA256 of `message` under the audit key, which the database never sees."""
    return hmac.new(settings.ACCORD_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def content_digest(salt: str, content: bytes) -> str:
    """HMAC-SHA256 of an event's content keyed by its salt: without the salt, nobody can test a
    guess at erased content against the digest the seal still covers."""
    return hmac.new(salt.encode(), content, hashlib.sha256).hexdigest()


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


# The e-mail outbox is its own module (accord/core/outbox.py); importing it here registers its
# model with the core app.
from .outbox import OutboxMessage  # noqa: E402, F401
