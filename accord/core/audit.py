"""Writing to and checking the audit trail. Every service records its changes through here.

How the trail is made tamper-evident:

- **Streams.** Events are chained per stream, the record whose history they belong to (the
  event's `context`, e.g. "enrolment:42"). Each event has its place in its stream (`sequence`,
  from 1) and the seal of the event before it. Writers lock only the head row of the streams
  they append to (`AuditStreamHead`, `SELECT ... FOR UPDATE`), so changes to different records
  never wait on each other; a unique constraint on (stream, sequence) makes a fork impossible in
  the database even if the locking were wrong. SQLite runs IMMEDIATE transactions, which hold
  the database's write lock anyway.
- **Seals.** Each event's `hash` is an HMAC-SHA256, under `settings.ACCORD_AUDIT_KEY`, of a
  canonical serialisation of every field (see `AuditEvent.canonical_payload`). Someone who can
  write to the database but does not hold the key can neither edit an event nor reseal the
  chain after an edit.
- **Checkpoints.** A chain alone cannot show that its newest events were removed. A checkpoint
  is the number of events, the highest event id, and a digest over every stream's head
  (stream, sequence, seal), signed with the key. `manage.py audit_checkpoint` takes one,
  appends it to a file outside the database (`ACCORD_AUDIT_CHECKPOINT_FILE`) and prints it for
  publication; `manage.py verify_audit` checks the chain against the newest checkpoint in that
  file and against any published one given with `--checkpoint`. Events after the newest
  checkpoint are protected only by the next one, so checkpoints are taken periodically (cron).
- **Redaction.** The seal covers the event's free content (summary, changes, note) through a
  digest keyed by a random salt of the event's own. Erasing a person replaces their name and
  address in that content, and retention blanks old notes (`redact`); a redaction gives the
  event a new salt, and records one sealed "audit.redact" event listing each redacted event
  with the digest of its new content. The chain and seals stay whole; verification checks a
  redacted event's content against the newest redaction that lists it, so an edit passed off
  as a redaction is found. `accord/core/README.md` has the whole design.
- **Refusal.** Triggers refuse DELETE, and any UPDATE except a redaction's (content, salt and
  `redacted_at` only), on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from .models import AuditEvent, AuditStreamHead, content_digest, seal

GENESIS_HASH = "0" * 64
# How many stream heads are created and locked per query when a batch touches many streams.
_HEAD_CHUNK = 1000


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
    # Only for a target already deleted, whose primary key is gone from the instance.
    target_id: str = ""


def jsonable(value: Any) -> Any:
    """A value as it is stored in an event's before/after."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet):
        return [str(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
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


def jsonable_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes exactly as the database will give them back, so that the seal still matches."""
    return json.loads(json.dumps(jsonable(changes), cls=_Encoder))


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            # Anything else (a form's odd value) is kept as it reads rather than refused.
            return str(o)


def _lock_heads(streams: list[str]) -> dict[str, AuditStreamHead]:
    """Lock the head of each stream (creating the heads of new streams), in stream order."""
    heads: dict[str, AuditStreamHead] = {}
    table = AuditStreamHead._meta.db_table
    for start in range(0, len(streams), _HEAD_CHUNK):
        chunk = streams[start : start + _HEAD_CHUNK]
        heads.update(_select_heads(chunk))
        missing = [s for s in chunk if s not in heads]
        if missing:
            # A writer creating the same stream at the same moment makes this one wait for it.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (stream, sequence, hash) VALUES (%s, 0, %s)"
                    " ON CONFLICT DO NOTHING",
                    [(s, GENESIS_HASH) for s in missing],
                )
            heads.update(_select_heads(missing))
    return heads


def _select_heads(streams: list[str]) -> dict[str, AuditStreamHead]:
    locked = AuditStreamHead.objects.select_for_update().filter(stream__in=streams)
    return {head.stream: head for head in locked.order_by("stream")}


def record(events: Iterable[Event]) -> list[AuditEvent]:
    """Append events to their streams, in order, inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be recorded inside a transaction.")
    events = list(events)
    if not events:
        return []
    heads = _lock_heads(sorted({event.context for event in events}))
    now = timezone.now()
    rows = []
    for event in events:
        head = heads[event.context]
        row = AuditEvent(
            created_at=now,
            actor=event.actor if event.actor and event.actor.is_authenticated else None,
            action=event.action,
            summary=event.summary[:300],
            target_type=event.target._meta.label_lower,
            target_id=str(event.target_id or event.target.pk),
            context=event.context,
            changes=jsonable_changes(event.changes),
            note=event.note,
            internal=event.internal,
            stream=event.context,
            sequence=head.sequence + 1,
            previous_hash=head.hash,
        )
        row.salt_and_digest()
        row.hash = row.compute_hash()
        head.sequence, head.hash = row.sequence, row.hash
        rows.append(row)
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    # One prepared statement run per head: far cheaper than bulk_update's CASE for big batches.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {AuditStreamHead._meta.db_table} SET sequence = %s, hash = %s"
            " WHERE stream = %s",
            [(head.sequence, head.hash, head.stream) for head in heads.values()],
        )
    return rows


def context_of(target: models.Model) -> str:
    """The stream an object's events go to when no wider record (an enrolment, a plan) is
    named: the object itself."""
    return f"{target._meta.model_name}:{target.pk}"


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
    context = context or context_of(target)
    (row,) = record([Event(action, summary, target, context, actor, changes or {}, note, internal)])
    return row


# Redaction

REDACTION_ACTION = "audit.redact"


def _replace_in(value: Any, swap: Callable[[str], str]) -> Any:
    """`value` (JSON) with `swap` applied to every string in it, keys included."""
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, dict):
        return {swap(k): _replace_in(v, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_in(v, swap) for v in value]
    return value


def replacer(replacements: dict[str, str]) -> Callable[[str], str] | None:
    """A function that replaces each key of `replacements`, as a whole word in any case, by its
    value; None when there is nothing to replace."""
    by_value = {value.lower(): new for value, new in replacements.items() if value}
    if not by_value:
        return None
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True))
        + r")(?!\w)",
        re.IGNORECASE,
    )
    return lambda text: pattern.sub(lambda m: by_value[m.group(0).lower()], text)


def mentioning(values: Iterable[str]) -> models.QuerySet[AuditEvent]:
    """Events whose summary, changes or note holds any of `values`, in any case."""
    condition = Q(pk__in=[])
    for value in {v for v in values if v}:
        # SQLite keeps JSON with non-ASCII characters escaped; PostgreSQL keeps them as they are.
        escaped = json.dumps(value)[1:-1]
        condition |= Q(summary__icontains=value) | Q(note__icontains=value)
        condition |= Q(changes_text__icontains=value) | Q(changes_text__icontains=escaped)
    return AuditEvent.objects.annotate(changes_text=Cast("changes", models.TextField())).filter(
        condition
    )


def redact(
    replacements: dict[str, str],
    *,
    actor: Any,
    target: models.Model,
    context: str,
    summary: str,
    within: Q | None = None,
    everywhere: Iterable[str] = (),
    notes: Mapping[int, str] | None = None,
) -> list[int]:
    """Redact events, and record the redaction, without the replaced values, as one sealed
    event listing each redacted event with the digest of its new content. Returns the ids of
    the redacted events.

    Each key of `replacements` is replaced (a whole word, in any case) by its value in the
    events `within` selects (every event when None) and in every event that holds one of the
    keys listed in `everywhere`; those keys (values only one person has, such as an address)
    are replaced wherever they appear. `notes` replaces the whole note of the events it names
    by id."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be redacted inside a transaction.")
    notes = dict(notes or {})
    swap_all = replacer(replacements)
    unique = {value for value in everywhere if value}
    swap_unique = replacer({k: v for k, v in replacements.items() if k in unique})
    if swap_all is None and not notes:
        return []

    candidates = Q(pk__in=list(notes))
    in_scope: set[int] | None = None
    if swap_all is not None:
        candidates |= Q(pk__in=mentioning(replacements).values("pk"))
        if within is not None:
            scope = within | Q(pk__in=mentioning(unique).values("pk"))
            in_scope = set(mentioning(replacements).filter(scope).values_list("pk", flat=True))

    changed: list[AuditEvent] = []
    found = AuditEvent.objects.filter(candidates).exclude(action=REDACTION_ACTION).order_by("id")
    for event in found.iterator(chunk_size=500):
        swap = swap_all if in_scope is None or event.id in in_scope else swap_unique
        new_summary, changes, note = event.summary, event.changes, event.note
        if swap is not None:
            new_summary, note = swap(new_summary)[:300], swap(note)
            changes = _replace_in(changes, swap)
        if event.id in notes:
            note = notes[event.id]
        if (new_summary, changes, note) == (event.summary, event.changes, event.note):
            continue
        event.summary, event.changes, event.note = new_summary, changes, note
        event.content_salt = secrets.token_hex(16)
        changed.append(event)
    if not changed:
        return []
    listed = {str(e.id): content_digest(e.content_salt, e.canonical_content()) for e in changed}
    log_action(
        target,
        REDACTION_ACTION,
        actor=actor,
        summary=summary,
        context=context,
        changes={"redacted_events": listed},
        internal=True,
    )
    now = timezone.now()
    for event in changed:
        # The one change the triggers allow: content, salt and the time of the redaction.
        models.QuerySet.update(
            AuditEvent.objects.filter(pk=event.pk),
            summary=event.summary,
            changes=event.changes,
            note=event.note,
            content_salt=event.content_salt,
            redacted_at=now,
        )
    return [e.id for e in changed]


# Checkpoints


_CHECKPOINT_PREFIX = "accord-audit-v1"


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of how far the trail went: events, highest id, digest of the heads."""

    taken_at: int
    events: int
    last_id: int
    digest: str
    signature: str = ""

    def _signed_part(self) -> str:
        return f"{_CHECKPOINT_PREFIX}.{self.taken_at}.{self.events}.{self.last_id}.{self.digest}"

    def signed(self) -> Checkpoint:
        return Checkpoint(
            self.taken_at,
            self.events,
            self.last_id,
            self.digest,
            seal(self._signed_part().encode()),
        )

    def signature_is_valid(self) -> bool:
        return hmac.compare_digest(seal(self._signed_part().encode()), self.signature)

    def __str__(self) -> str:
        return f"{self._signed_part()}.{self.signature}"

    @property
    def label(self) -> str:
        when = datetime.datetime.fromtimestamp(self.taken_at, tz=datetime.UTC)
        return f"checkpoint of {when:%Y-%m-%d %H:%M} UTC ({self.events} events)"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        parts = text.strip().split(".")
        if len(parts) != 6 or parts[0] != _CHECKPOINT_PREFIX:
            raise ValueError(f"Not an audit checkpoint: {text.strip()[:80]!r}")
        _, taken_at, events, last_id, digest, signature = parts
        try:
            return cls(int(taken_at), int(events), int(last_id), digest, signature)
        except ValueError:
            raise ValueError(f"Not an audit checkpoint: {text.strip()[:80]!r}") from None


def heads_digest(heads: Iterable[tuple[str, int, str]]) -> str:
    """One hash over every stream's head, sorted by stream name."""
    digest = hashlib.sha256()
    for stream, sequence, seal_ in sorted(heads):
        digest.update(f"{stream}\t{sequence}\t{seal_}\n".encode())
    return digest.hexdigest()


def take_checkpoint() -> Checkpoint:
    """A signed checkpoint of the trail as it stands now."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Waits for writers in flight and holds new ones back for the few moments this takes,
            # so every event with an id up to `last_id` is committed and none will appear later.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {AuditEvent._meta.db_table} IN SHARE MODE")
        totals = AuditEvent.objects.aggregate(events=models.Count("id"), last_id=models.Max("id"))
        heads = AuditStreamHead.objects.filter(sequence__gt=0).values_list(
            "stream", "sequence", "hash"
        )
        return Checkpoint(
            taken_at=int(time.time()),
            events=totals["events"],
            last_id=totals["last_id"] or 0,
            digest=heads_digest(heads),
        ).signed()


def checkpoint_file() -> Path:
    return Path(settings.ACCORD_AUDIT_CHECKPOINT_FILE)


def write_checkpoint(checkpoint: Checkpoint) -> None:
    """Append a checkpoint to the file kept outside the database."""
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"{checkpoint}\n")


def newest_written_checkpoint() -> str | None:
    """The last line of the checkpoint file, if there is one."""
    path = checkpoint_file()
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[-1] if lines else None


# Verification


@dataclass
class ChainBreak:
    event_id: int | None
    reason: str


def verify_chain(
    checkpoints: Iterable[Checkpoint] = (), batch_size: int = 5000
) -> Iterator[ChainBreak]:
    """Walk every stream and yield every place where the trail does not hold."""
    pending = sorted(checkpoints, key=lambda c: c.last_id)
    for checkpoint in pending:
        if not checkpoint.signature_is_valid():
            yield ChainBreak(None, f"The {checkpoint.label} does not carry a valid signature.")
    pending = [c for c in pending if c.signature_is_valid()]
    heads: dict[str, tuple[int, str]] = {}
    # Redacted events, by id: the digest of their content now, checked at the end against the
    # newest redaction event that lists them (which comes after them).
    redacted: dict[int, str] = {}
    redactions: dict[int, str] = {}
    count = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        for event in batch:
            while pending and event.id > pending[0].last_id:
                yield from _check_against(pending.pop(0), count, heads)
            sequence, previous = heads.get(event.stream, (0, GENESIS_HASH))
            if event.sequence != sequence + 1 or event.previous_hash != previous:
                yield ChainBreak(event.id, "does not follow the event before it in its stream")
            if event.stream != event.context or not hmac.compare_digest(
                event.compute_hash(), event.hash
            ):
                yield ChainBreak(event.id, "its contents do not match its seal")
            elif event.redacted_at is not None:
                redacted[event.id] = event.compute_content_digest()
            elif not hmac.compare_digest(event.compute_content_digest(), event.content_digest):
                yield ChainBreak(event.id, "its contents do not match its seal")
            elif event.action == REDACTION_ACTION:
                listed = event.changes.get("redacted_events")
                if isinstance(listed, dict):
                    redactions.update({int(k): str(v) for k, v in listed.items() if k.isdigit()})
            heads[event.stream] = (event.sequence, event.hash)
            count += 1
            last_id = event.id
        if len(batch) < batch_size:
            break
    for checkpoint in pending:
        yield from _check_against(checkpoint, count, heads)
    for event_id, digest in sorted(redacted.items()):
        recorded = redactions.get(event_id)
        if recorded is None:
            yield ChainBreak(event_id, "it is marked redacted, but no redaction lists it")
        elif not hmac.compare_digest(recorded, digest):
            yield ChainBreak(event_id, "its contents do not match its redaction")
    yield from _check_stream_heads(heads)


def _check_against(
    checkpoint: Checkpoint, count: int, heads: dict[str, tuple[int, str]]
) -> Iterator[ChainBreak]:
    if count != checkpoint.events:
        yield ChainBreak(
            None,
            f"The {checkpoint.label} counted {checkpoint.events} events up to event "
            f"{checkpoint.last_id}; {count} are there now.",
        )
    elif heads_digest((s, seq, h) for s, (seq, h) in heads.items()) != checkpoint.digest:
        yield ChainBreak(None, f"The streams' newest events differ from the {checkpoint.label}.")


def _check_stream_heads(heads: dict[str, tuple[int, str]]) -> Iterator[ChainBreak]:
    """A stream whose recorded head is missing lost its newest events."""
    for head in AuditStreamHead.objects.filter(sequence__gt=0).iterator():
        if heads.get(head.stream) == (head.sequence, head.hash):
            continue
        # Appended while we walked? Then the head event is there now.
        if AuditEvent.objects.filter(
            stream=head.stream, sequence=head.sequence, hash=head.hash
        ).exists():
            continue
        yield ChainBreak(None, f"The newest events of {head.stream} are missing.")
