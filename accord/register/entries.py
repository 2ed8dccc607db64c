"""Making the register's rows from the records they show, and rewriting them on change.

`live_rows` is the one definition of what a row holds, read from memberships, employers,
areas, schemes and confirmed reviews. The receivers in `receivers.py` call `refresh` with the
memberships a change touches, inside the transaction of the change; `rebuild` rewrites every
row (the `rebuild_register` command, and the migration that first filled the table).
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accord.membership.models import MET, MembershipStatus

from .search import FTS_TABLE, search_text

CHUNK = 1000

# Membership fields read for a row, in the order of ENTRY_FIELDS below.
_SOURCE = (
    "pk",
    "reference",
    "status",
    "employer_id",
    "employer__name",
    "employer__kind",
    "employer__urn",
    "employer__postcode",
    "employer__local_authority_id",
    "employer__local_authority__name",
    "employer__local_authority__region_id",
    "employer__local_authority__region__name",
    "scheme_id",
    "scheme__slug",
    "scheme__name",
    "member_since",
    "status_since",
)
ENTRY_FIELDS = (
    "membership_id",
    "reference",
    "status",
    "employer_id",
    "employer_name",
    "employer_kind",
    "urn",
    "postcode",
    "local_authority_id",
    "local_authority_name",
    "region_id",
    "region_name",
    "scheme_id",
    "scheme_slug",
    "scheme_name",
    "member_since",
    "status_since",
    "listed",
    "met_principles",
    "search_text",
)


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _principles_met(pairs: set[tuple[int, int]], apps: Any) -> dict[tuple[int, int], str]:
    """The principles met by each (employer, scheme): confirmed reviews with the outcome met."""
    Review = apps.get_model("membership", "Review")
    met: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = Review.objects.filter(
        MET, cycle__enrolment__employer_id__in={employer for employer, _ in pairs}
    ).values_list(
        "cycle__enrolment__employer_id",
        "cycle__enrolment__scheme_id",
        "cycle__principle_version__principle__number",
    )
    for employer_id, scheme_id, number in rows:
        met[(employer_id, scheme_id)].add(number)
    return {pair: " ".join(str(n) for n in sorted(met[pair])) for pair in pairs}


def live_rows(membership_filter: Q | None = None, *, apps: Any = global_apps) -> Iterator[tuple]:
    """The rows (values in ENTRY_FIELDS order) of the memberships matching `membership_filter`,
    read from the records themselves, in key order."""
    Membership = apps.get_model("membership", "Membership")
    source = (
        Membership.objects.filter(membership_filter or Q()).order_by("pk").values_list(*_SOURCE)
    )
    for chunk in _chunks(source.iterator(chunk_size=CHUNK)):
        met = _principles_met({(row[3], row[12]) for row in chunk}, apps)
        for row in chunk:
            yield (
                *row[:9],
                row[9] or "",  # no local authority
                row[10],
                row[11] or "",  # no region
                *row[12:],
                row[2] != MembershipStatus.WITHDRAWN,
                met[(row[3], row[12])],
                search_text(row[4], row[6]),
            )


def bump(*, apps: Any = global_apps) -> None:
    """Mark the register as changed: cached pages and ETags from before no longer apply."""
    RegisterVersion = apps.get_model("register", "RegisterVersion")
    # Last-Modified counts whole seconds: each version gets a later second than the one before,
    # so a client holding the earlier one is never told by its date alone that it is current.
    changed_at = timezone.now()
    before = RegisterVersion.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    if before is not None and changed_at.replace(microsecond=0) <= before.replace(microsecond=0):
        changed_at = before.replace(microsecond=0) + datetime.timedelta(seconds=1)
    values = {"stamp": secrets.token_hex(8), "changed_at": changed_at}
    if not RegisterVersion.objects.filter(pk=1).update(**values):
        RegisterVersion.objects.update_or_create(pk=1, defaults=values)


def _write(rows: list[tuple], apps: Any) -> None:
    RegisterEntry = apps.get_model("register", "RegisterEntry")
    RegisterEntry.objects.bulk_create(
        [RegisterEntry(**dict(zip(ENTRY_FIELDS, row, strict=True))) for row in rows],
        batch_size=CHUNK,
    )


def refresh(membership_ids: Iterable[int]) -> bool:
    """Rewrite the rows of these memberships from their records, removing the rows of those that
    are gone, inside the caller's transaction. Marks the register changed only when a row did.
    Returns whether one did."""
    RegisterEntry = global_apps.get_model("register", "RegisterEntry")
    RegisterVersion = global_apps.get_model("register", "RegisterVersion")
    membership_ids = sorted(set(membership_ids))
    if not membership_ids:
        return False
    changed = False
    with transaction.atomic():
        # One writer at a time: two changes to the same row cannot both rewrite it.
        RegisterVersion.objects.select_for_update().filter(pk=1).first()
        for ids in _chunks(membership_ids):
            fresh = {row[0]: row for row in live_rows(Q(pk__in=ids))}
            stored = {
                row[0]: row
                for row in RegisterEntry.objects.filter(pk__in=ids).values_list(*ENTRY_FIELDS)
            }
            stale = [pk for pk, row in stored.items() if fresh.get(pk) != row]
            new = [row for pk, row in fresh.items() if stored.get(pk) != row]
            if stale:
                RegisterEntry.objects.filter(pk__in=stale).delete()
            if new:
                _write(new, global_apps)
            changed = changed or bool(stale or new)
        if changed:
            bump()
    return changed


def rebuild(*, apps: Any = global_apps, using: Any = connection) -> int:
    """Every row anew, in one transaction; running it twice changes nothing the second time
    but the version. Returns the number of rows."""
    RegisterEntry = apps.get_model("register", "RegisterEntry")
    count = 0
    with transaction.atomic():
        RegisterEntry.objects.all().delete()
        for chunk in _chunks(live_rows(apps=apps)):
            _write(chunk, apps)
            count += len(chunk)
        if using.vendor == "sqlite":
            # The search index follows the table through triggers; rebuilding it as well
            # repairs one that was copied or restored without them.
            with using.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        bump(apps=apps)
    return count


def memberships_of_employers(employer_ids: Iterable[int]) -> set[int]:
    """The memberships with a row to rewrite when these employers change: theirs now, and those
    whose row still names one of them (a membership moved by a merge)."""
    Membership = global_apps.get_model("membership", "Membership")
    RegisterEntry = global_apps.get_model("register", "RegisterEntry")
    ids: set[int] = set()
    for chunk in _chunks(set(employer_ids)):
        ids.update(Membership.objects.filter(employer_id__in=chunk).values_list("pk", flat=True))
        ids.update(RegisterEntry.objects.filter(employer_id__in=chunk).values_list("pk", flat=True))
    return ids
