"""The e-mail outbox: messages written in the same transaction as the change, delivered later.

A change that should e-mail someone calls `queue()` inside its own transaction, so the message
exists exactly when the change does: a rolled-back step sends nothing, a committed one cannot
lose its e-mail. After the commit a task carrying only the message's id is handed to the task
queue (django-tasks, database backend); the worker delivers each message on its own, so one
refused address fails only that message. The row is the source of truth: the task is only a
wake-up call, and a duplicate or lost task is harmless (see `deliver` and `recover`).
"""

from __future__ import annotations

import datetime
import email.message
import logging
import smtplib
import uuid
from email.header import Header
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (given up)"


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime) -> OutboxMessageQuerySet:
        """Messages a worker may claim now: waiting and due, or claimed by a worker that died."""
        return self.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - lease())
        )

    def needing_attention(self) -> OutboxMessageQuerySet:
        """What national officers are shown: given up, or failed at least once and waiting."""
        return self.filter(
            Q(status=OutboxStatus.FAILED)
            | Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], attempts__gt=0)
        ).order_by("-created_at", "-id")


class AccordEmail(EmailMultiAlternatives):
    """An e-mail whose encoded subject starts on the Subject line itself.

    Django encodes a non-ASCII subject into words sized without the "Subject: " before them,
    so the first word no longer fits on that line and the header folds onto an empty first
    line, which some mail programs read as a blank subject. Encoded here with the header's
    name counted in, the first line carries text.
    """

    def message(self, *args: Any, **kwargs: Any) -> email.message.Message:
        msg = super().message(*args, **kwargs)
        if not self.subject.isascii():
            del msg["Subject"]
            # The plain Message setter: Django's own would encode the subject its way again.
            email.message.Message.__setitem__(
                msg, "Subject", Header(self.subject, "utf-8", header_name="Subject")
            )
        return msg


class OutboxMessage(models.Model):
    """One e-mail to one person, with its delivery history: the text part (`body`) and, for
    every message composed by `accord.core.mail`, an HTML part made from the same content."""

    created_at = models.DateTimeField(default=timezone.now)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Fixed when queued and sent with every attempt, so a message delivered twice (see
    # `deliver`) is recognisably the same message to the receiving mail system.
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def given_up(self) -> bool:
        return self.status == OutboxStatus.FAILED

    @property
    def waiting(self) -> bool:
        return self.status == OutboxStatus.PENDING

    def as_email(self) -> AccordEmail:
        message = AccordEmail(
            subject=self.subject,
            body=self.body,
            to=[self.to],
            headers={**self.headers, "Message-ID": self.message_id},
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message


def lease() -> datetime.timedelta:
    """How long a claim holds: longer than any SMTP conversation (EMAIL_TIMEOUT) can take."""
    return datetime.timedelta(seconds=settings.ACCORD_OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after `attempts` failures: doubling from the base delay."""
    return datetime.timedelta(seconds=settings.ACCORD_OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1))


def queue(
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Write a message to the outbox, in the caller's transaction; it is sent after commit.
    Senders compose it with `accord.core.mail`, which gives every e-mail the same subject
    prefix, layout and footer."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = OutboxMessage.objects.create(
        to=to,
        subject=subject[:300],
        body=body,
        html=html,
        headers=headers or {},
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int, run_after: datetime.datetime | None = None) -> None:
    # The change is already committed: a failure to reach the task queue must not turn the
    # response into an error. The message stays pending and `recover` hands it on later.
    try:
        if run_after is None:
            deliver_message.enqueue(message_id)
        else:
            deliver_message.using(run_after=run_after).enqueue(message_id)
    except Exception:
        logger.exception("Could not queue e-mail %s; it waits for the next recovery", message_id)


@task()
def deliver_message(message_id: int) -> str:
    """The worker's task: deliver one outbox message."""
    return deliver(message_id)


def deliver(message_id: int) -> str:
    """Claim the message, send it, record the outcome; returns the message's new status.

    The claim is one conditional UPDATE, so of two workers holding a task for the same message
    only one sends it; the other finds nothing to claim and stops.

    Exactly once, as far as SMTP allows: if the worker dies (kill -9, power) between claiming
    and recording the outcome, the message stays "sending". Once its claim is older than the
    lease, the next claim takes it again and sends it with the same Message-ID. A worker that
    died before the mail server accepted the message therefore loses nothing; one that died in
    the instant after acceptance but before the row was marked sent causes a second delivery
    that carries the same Message-ID, which mail clients show as one message. We prefer that
    to the alternative (never retrying a claimed message), which would lose mail silently.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.due(now)
        .filter(pk=message_id)
        .update(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        message.as_email().send()
    except Exception as exc:
        return _failed(message, exc, claimed_at=now)
    OutboxMessage.objects.filter(pk=message_id, claimed_at=now).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutboxStatus.SENT


def _failed(message: OutboxMessage, exc: Exception, *, claimed_at: datetime.datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    if message.attempts >= settings.ACCORD_OUTBOX_MAX_ATTEMPTS or _permanent(exc):
        status, next_attempt_at = OutboxStatus.FAILED, message.next_attempt_at
    else:
        status, next_attempt_at = OutboxStatus.PENDING, now + backoff(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk, claimed_at=claimed_at).update(
        status=status, last_error=error, next_attempt_at=next_attempt_at
    )
    # The address and the server's words (which often repeat it) stay in the outbox, where
    # national officers read them; the log says only which message and what kind of failure.
    logger.warning("E-mail %s failed (%s): %s", message.pk, status, type(exc).__name__)
    if status == OutboxStatus.PENDING:
        _enqueue(message.pk, run_after=next_attempt_at)
    return status


def _permanent(exc: Exception) -> bool:
    """A mail server that refuses the address for good (5xx) will not change its mind."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def retry(message: OutboxMessage) -> None:
    """Try a failed message again now, from a fresh count of attempts."""
    OutboxMessage.objects.filter(pk=message.pk).exclude(status=OutboxStatus.SENT).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    transaction.on_commit(lambda: _enqueue(message.pk))


def recover() -> int:
    """Hand the worker every stranded message: its task was lost between commit and queueing,
    or its worker died mid-delivery. Run when a worker starts; returns how many.

    Stranded means overdue by more than the lease, so a message queued a moment ago (whose task
    is surely on its way) is left alone. Should one with a task get a second task all the same,
    the claim in `deliver` makes that harmless.
    """
    cutoff = timezone.now() - lease()
    ids = list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lt=cutoff)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def deliver_due() -> dict[str, int]:
    """Deliver every due message here and now, without the worker (tests and one-off runs)."""
    counts: dict[str, int] = {}
    for pk in OutboxMessage.objects.due(timezone.now()).values_list("pk", flat=True):
        status = deliver(pk)
        counts[status] = counts.get(status, 0) + 1
    return counts
