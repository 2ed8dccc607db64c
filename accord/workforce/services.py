"""Keeping workforce figures: making a table, changing what it says about itself, entering its
counts by hand, and importing them from a file through a preview. Each write checks the rule,
runs in one transaction and is audited with the values before and after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.accounts.models import User
from accord.core import audit, uploads
from accord.core.errors import DomainError
from accord.core.signals import public_figures_changed
from accord.core.text import refusal
from accord.organisations.models import Employer
from accord.plans import tables
from accord.plans.document import Note
from accord.plans.models import Party, Plan
from accord.plans.services import Correction

from . import rules
from .importing import ReadCounts, read_counts
from .models import MAX_COLUMNS, MAX_COUNT, FigureCell, FigureImport, FigureTable

TABLE_FIELDS = ["measure", "breakdown", "columns", "starts_on", "ends_on", "public", "party"]


class FiguresError(DomainError):
    pass


def _check_details(data: Mapping[str, Any]) -> None:
    columns = data["columns"]
    if not columns:
        raise FiguresError("Give the table at least one column.", field="columns")
    if len(columns) > MAX_COLUMNS:
        raise FiguresError(f"A table has at most {MAX_COLUMNS} columns.", field="columns")
    if len({c.casefold() for c in columns}) != len(columns):
        raise FiguresError("Each column needs a heading of its own.", field="columns")
    if data["ends_on"] < data["starts_on"]:
        raise FiguresError("The period cannot end before it starts.", field="ends_on")


def _public_changed(table: FigureTable, *, was_public: bool) -> None:
    """The register's pages show an employer's public tables: tell it when they change."""
    if table.employer_id is not None and (was_public or table.public):
        public_figures_changed.send(sender=__name__, employer_ids=[table.employer_id])


def _check_public(
    actor: User, data: Mapping[str, Any], was_public: bool, *, for_plan: bool
) -> None:
    if bool(data.get("public")) != was_public and not rules.can_mark_public(actor):
        raise FiguresError("Only a national officer marks a table public.", field="public")
    if for_plan and data.get("public"):
        # The public see figures on an employer's register page; a plan has none.
        raise FiguresError("Only an employer's tables are published.", field="public")


def _check_party(actor: User, plan: Plan | None, party: Party | None) -> None:
    if plan is None:
        if party is not None:
            raise FiguresError("Only a plan's table is shared by one of its parties.")
        return
    if party is not None and party.plan_id != plan.pk:
        raise FiguresError("Choose one of the plan's parties.", field="party")
    if not rules.can_manage_plan(actor, plan) and (
        party is None or party.pk not in rules.member_parties(actor, plan)
    ):
        raise FiguresError("A plan member keeps their own party's tables.", field="party")


def create_table(
    *,
    actor: User,
    plan: Plan | None = None,
    employer: Employer | None = None,
    data: Mapping[str, Any],
) -> FigureTable:
    """A new, empty table for a plan or for an employer."""
    if (plan is None) == (employer is None):
        raise FiguresError("A table belongs to a plan or to an employer.")
    allowed = (
        rules.can_add_plan_figures(actor, plan)
        if plan is not None
        else rules.can_keep_employer_figures(actor, employer)
    )
    if not allowed:
        raise FiguresError("You may not add figures here.")
    _check_details(data)
    _check_public(actor, data, was_public=False, for_plan=plan is not None)
    party = data.get("party")
    _check_party(actor, plan, party)
    with transaction.atomic():
        table = FigureTable(
            plan=plan,
            employer=employer,
            entered_by=actor,
            **{name: data.get(name) for name in TABLE_FIELDS if name in data},
        )
        table.public = bool(data.get("public"))
        table.full_clean()
        table.save()
        audit.log_action(
            table,
            "figures.create",
            actor=actor,
            summary=f"{actor} added the table “{table}” for {table.owner_name}",
            context=table.audit_context,
            changes=audit.diff({}, _details(table)),
        )
        _public_changed(table, was_public=False)
    return table


def _details(table: FigureTable) -> dict[str, Any]:
    values = audit.snapshot(table, [f for f in TABLE_FIELDS if f != "party"])
    values["party"] = str(table.party) if table.party_id else None
    return values


def update_table(table: FigureTable, *, actor: User, data: Mapping[str, Any]) -> FigureTable:
    """Change what the table measures, its column headings, period, party or publication.
    The breakdown and the number of columns stay: the counts are entered against them."""
    if not rules.can_edit_table(actor, table):
        raise FiguresError("You may not change this table.")
    data = {**data, "breakdown": table.breakdown}
    if len(data["columns"]) != len(table.columns):
        raise FiguresError(
            f"Keep {len(table.columns)} column(s): the counts are entered against them. Add a "
            "new table for other columns.",
            field="columns",
        )
    _check_details(data)
    was_public = table.public
    _check_public(actor, data, was_public, for_plan=table.plan_id is not None)
    if table.plan_id is not None:
        _check_party(actor, table.plan, data.get("party"))
    with transaction.atomic():
        _lock(table)
        before = _details(table)
        for name in TABLE_FIELDS:
            if name in data:
                setattr(table, name, data[name])
        table.public = bool(data.get("public"))
        table.full_clean()
        table.save()
        changes = audit.diff(before, _details(table))
        if changes:
            audit.log_action(
                table,
                "figures.update",
                actor=actor,
                summary=f"{actor} changed the table “{table}”",
                context=table.audit_context,
                changes=changes,
            )
        _public_changed(table, was_public=was_public)
    return table


def _lock(table: FigureTable) -> None:
    """Hold the table's row until the change commits: two saves of the grid at once would
    otherwise both delete and write its cells."""
    FigureTable.objects.select_for_update().filter(pk=table.pk).values_list("pk").first()


def _check_counts(table: FigureTable, counts: Mapping[tuple[str, int], int]) -> None:
    categories = {value for value, _ in table.categories}
    for (category, column), count in counts.items():
        if category not in categories or not 0 <= column < len(table.columns):
            raise FiguresError(f"The table has no cell {category}, column {column + 1}.")
        if not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
            raise FiguresError(f"A count is a whole number from 0 to {MAX_COUNT:,}: not {count!r}.")


def _label(table: FigureTable, key: tuple[str, int]) -> str:
    return f"{dict(table.categories)[key[0]]}, {table.columns[key[1]]}"


def set_counts(
    table: FigureTable,
    *,
    actor: User,
    counts: Mapping[tuple[str, int], int],
    how: str = "entered",
    note: str = "",
) -> FigureTable:
    """Replace the table's counts: every cell of the grid, one transaction, audited cell by
    cell (before and after). A cell not given is 0."""
    if not rules.can_edit_table(actor, table):
        raise FiguresError("You may not enter figures in this table.")
    _check_counts(table, counts)
    full = {
        (category, j): counts.get((category, j), 0)
        for category, _ in table.categories
        for j in range(len(table.columns))
    }
    with transaction.atomic():
        _lock(table)
        before = {(c.category, c.column): c.count for c in table.cells.all()}
        table.cells.all().delete()
        FigureCell.objects.bulk_create(
            FigureCell(table=table, category=category, column=column, count=count)
            for (category, column), count in full.items()
        )
        table.save(update_fields=["updated_at"])
        changes = {
            _label(table, key): [before.get(key), count]
            for key, count in full.items()
            if before.get(key) != count
        }
        audit.log_action(
            table,
            f"figures.{how}",
            actor=actor,
            summary=f"{actor} {how} the counts of “{table}”",
            context=table.audit_context,
            changes=changes,
            note=note,
        )
        _public_changed(table, was_public=table.public)
    # The cells read before the change are stale now.
    table._prefetched_objects_cache = {}
    return table


# --- importing ---------------------------------------------------------------------------


def open_import(
    table: FigureTable, *, uploaded_by: User, source_name: str, data: bytes
) -> FigureImport:
    """Keep an uploaded file of counts for its preview, or FiguresError if it cannot be read."""
    if not rules.can_edit_table(uploaded_by, table):
        raise FiguresError("You may not import figures into this table.")
    source_name = uploads.safe_name(source_name, "figures")
    try:
        reading = tables.rows_from_upload(
            source_name, data, max_rows=settings.ACCORD_PLAN_IMPORT_MAX_ROWS
        )
    except tables.TableError as error:
        raise FiguresError(str(error), field="file") from error
    return FigureImport.objects.create(
        table=table,
        uploaded_by=uploaded_by,
        source_name=source_name,
        rows=reading.rows,
        reading={
            "repairs": [[n.line, n.column, n.message] for n in reading.repairs],
            "problems": [[n.line, n.column, n.message] for n in reading.problems],
        },
    )


def record_corrections(upload: FigureImport, corrections: list[dict[str, Any]]) -> None:
    """Keep the person's corrections, refusing a cell the file does not have or a value that
    cannot be stored."""
    cells = tables.cells(upload.rows)
    for correction in corrections:
        if (correction["line"], correction["column"]) not in cells:
            raise FiguresError(
                f"There is no {correction['column']} cell on row {correction['line']} to correct."
            )
        refused = refusal(
            f"The correction of row {correction['line']}, {correction['column']}",
            correction["value"],
            multiline=False,
        )
        if refused:
            raise FiguresError(f"{refused}.")
    upload.corrections = corrections
    upload.save(update_fields=["corrections"])


def read_import(upload: FigureImport) -> tuple[ReadCounts, list[Note]]:
    """What the upload reads as with its corrections so far, and the reader's repairs."""
    corrections = [Correction(**c) for c in upload.corrections]
    try:
        rows = tables.corrected_rows(upload.rows, corrections)
    except tables.TableError as error:
        raise FiguresError(str(error)) from error
    read = read_counts(upload.table, rows)
    corrected = {(c.line, c.column) for c in corrections}
    read.problems[:0] = [
        Note(*n) for n in upload.reading.get("problems", []) if (n[0], n[1]) not in corrected
    ]
    return read, [Note(*n) for n in upload.reading.get("repairs", [])]


def confirm_import(upload: FigureImport, *, actor: User) -> FigureTable:
    """Replace the table's counts with the file's, once no problem remains."""
    if upload.uploaded_by_id != actor.pk or upload.confirmed_at is not None:
        raise FiguresError("This import is not yours to confirm, or it is done.")
    read, repairs = read_import(upload)
    if read.problems:
        raise FiguresError(f"{len(read.problems)} problem(s) must be corrected first.")
    cells = tables.cells(upload.rows)
    note = "\n".join(
        [f"From {upload.source_name}."]
        + [
            f"Corrected row {c['line']}, {c['column']}: "
            f"“{cells.get((c['line'], c['column']), '')}” → “{c['value']}”"
            for c in upload.corrections
        ]
        + [f"Repaired row {r.line}, {r.column}: {r.message}" for r in repairs]
    )
    with transaction.atomic():
        table = set_counts(upload.table, actor=actor, counts=read.counts, how="imported", note=note)
        upload.confirmed_at = timezone.now()
        upload.save(update_fields=["confirmed_at"])
    return table


def upload_cells(upload: FigureImport) -> dict[tuple[int, str], str]:
    """Every cell of an upload as it came, by (row, column)."""
    return tables.cells(upload.rows)
