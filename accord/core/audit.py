"""Writing to and checking the audit trail. Every service records its changes through here."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone

from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Any fixed number: PostgreSQL serialises appends to the chain on this advisory lock.
_CHAIN_LOCK_KEY = 7_203_114


@dataclass
class Event:
    """An audit event waiting to be appended."""

    action: str
    summary: str
    target: models.Model
    context: str
    actor: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    internal: bool = False


def jsonable(value: Any) -> Any:
    """A value as it is stored in an event's before/after."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = jsonable(before.get(key)), jsonable(after.get(key))
        if old != new:
            changed[key] = [old, new]
    return changed


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(instance, name)) for name in fields}


def _lock_chain() -> str:
    """Take the chain lock for this transaction and return the newest hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite runs IMMEDIATE transactions, which already hold the database's write lock.
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS_HASH


def record(events: Iterable[Event]) -> list[AuditEvent]:
    """Append events to the chain, in order, inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be recorded inside a transaction.")
    previous = _lock_chain()
    now = timezone.now()
    rows = []
    for event in events:
        row = AuditEvent(
            created_at=now,
            actor=event.actor if event.actor and event.actor.is_authenticated else None,
            action=event.action,
            summary=event.summary[:300],
            target_type=event.target._meta.label_lower,
            target_id=str(event.target.pk),
            context=event.context,
            changes=jsonable_changes(event.changes),
            note=event.note,
            internal=event.internal,
            previous_hash=previous,
        )
        row.hash = row.compute_hash()
        previous = row.hash
        rows.append(row)
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return rows


def jsonable_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: jsonable(value) for key, value in changes.items()}


def log_action(
    target: models.Model,
    action: str,
    *,
    actor: Any,
    summary: str,
    context: str | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    internal: bool = False,
) -> AuditEvent:
    """Record one change to `target`."""
    context = context or f"{target._meta.model_name}:{target.pk}"
    (row,) = record([Event(action, summary, target, context, actor, changes or {}, note, internal)])
    return row


@dataclass
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Walk the whole chain and yield every place where it does not hold."""
    previous = GENESIS_HASH
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        for event in batch:
            if event.previous_hash != previous:
                yield ChainBreak(event.id, "does not follow the event before it")
            if event.compute_hash() != event.hash:
                yield ChainBreak(event.id, "its contents do not match its hash")
            previous = event.hash
            last_id = event.id
