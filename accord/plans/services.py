"""Creating a plan from an imported document, with the importing person's corrections.

A correction replaces one cell (by line and column) and the document is read again, so every
rule is checked on what will be saved. Nothing is written while a problem remains. Each saved
item keeps the text it was read from, and a corrected cell keeps its original beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from accord.accounts import rules
from accord.accounts.models import User
from accord.actions.models import Action
from accord.core import audit, uploads
from accord.core.errors import DomainError
from accord.core.text import clean_text, refusal, removal

from . import document, tables
from .dates import DateWordingError, read
from .document import ParsedPlan
from .models import (
    Commitment,
    ImportKind,
    Party,
    Plan,
    PlanImport,
    PlanReview,
    Purpose,
    Theme,
)

COLUMNS = {"Issue": 0, "Action": 1, **{c: i for i, c in enumerate(document.WORKPLAN_COLUMNS)}}


class PlanImportError(DomainError):
    def __init__(
        self, message: str, problems: list[document.Note] | None = None, *, field: str | None = None
    ) -> None:
        super().__init__(message, field)
        self.problems = problems or []


@dataclass(frozen=True)
class Correction:
    line: int
    column: str
    value: str


def corrected_text(text: str, corrections: list[Correction]) -> str:
    """The document with each corrected cell replaced."""
    lines = text.splitlines()
    for correction in corrections:
        if not 1 <= correction.line <= len(lines) or correction.column not in COLUMNS:
            raise PlanImportError(
                f"There is no {correction.column} cell on line {correction.line} to correct."
            )
        cells = lines[correction.line - 1].split("\t")
        index = COLUMNS[correction.column]
        if index >= len(cells) or "\t" in correction.value or "\n" in correction.value:
            raise PlanImportError(
                f"Line {correction.line} has no {correction.column} cell to correct."
            )
        refused = refusal(
            f"The correction of line {correction.line}, {correction.column}", correction.value
        )
        if refused:
            raise PlanImportError(f"{refused}.")
        cells[index] = correction.value
        lines[correction.line - 1] = "\t".join(cells)
    return "\n".join(lines) + "\n"


def clean_document(text: str) -> tuple[str, list[document.Note]]:
    """The document without characters that cannot be stored, and a repair for each cell
    they were removed from. Lines are split as the reader splits them once cleaned."""
    repairs = []
    for number, line in enumerate(re.split("\r\n|\r|\n|\u2028|\u2029", text), start=1):
        cells = line.split("\t")
        for index, cell in enumerate(cells):
            removed = removal(cell)
            if removed:
                repairs.append(document.Note(number, document.cell_column(cells, index), removed))
    return clean_text(text), repairs


def read_with_corrections(
    text: str, corrections: list[Correction], parties: list[str] | None = None
) -> ParsedPlan:
    text, repairs = clean_document(text)
    parsed = document.parse(corrected_text(text, corrections), parties=parties)
    parsed.repairs[:0] = repairs
    return parsed


def read_table_upload(name: str, data: bytes, *, title: str) -> ParsedPlan:
    """What a CSV or XLSX workplan reads as, before any correction."""
    reading = tables.rows_from_upload(name, data, max_rows=settings.ACCORD_PLAN_IMPORT_MAX_ROWS)
    return _with_reading(
        tables.parse_rows(reading.rows, title=title), _notes(reading.repairs, reading.problems)
    )


def open_import(*, uploaded_by: User, source_name: str, title: str, data: bytes) -> PlanImport:
    """Keep an uploaded plan for its preview, cleaned of characters that cannot be stored,
    with what reading it found; or PlanImportError (on the file) if it cannot be read."""
    limit = settings.ACCORD_PLAN_IMPORT_MAX_ROWS
    # The name as a browser or client sent it may be long or hold control characters.
    source_name = uploads.safe_name(source_name, "plan")
    values: dict[str, Any] = {
        "uploaded_by": uploaded_by,
        "source_name": source_name,
        "title": title,
    }
    if source_name.lower().endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PlanImportError("The document is not UTF-8 text.", field="file") from error
        if sum(1 for line in text.splitlines() if line.strip()) > limit:
            raise PlanImportError(tables.too_many(limit, "lines"), field="file")
        text, repairs = clean_document(text)
        values.update(kind=ImportKind.DOCUMENT, text=text, reading=_notes(repairs, []))
    else:
        try:
            reading = tables.rows_from_upload(source_name, data, max_rows=limit)
        except tables.TableError as error:
            raise PlanImportError(str(error), field="file") from error
        values.update(
            kind=ImportKind.TABLE,
            rows=reading.rows,
            reading=_notes(reading.repairs, reading.problems),
        )
    return PlanImport.objects.create(**values)


def _notes(repairs: list[document.Note], problems: list[document.Note]) -> dict[str, Any]:
    return {
        "repairs": [[n.line, n.column, n.message] for n in repairs],
        "problems": [[n.line, n.column, n.message] for n in problems],
    }


def _with_reading(
    parsed: ParsedPlan, reading: dict[str, Any], corrections: Sequence[Correction] = ()
) -> ParsedPlan:
    """The plan as parsed, with what reading the file found: a cell that could not be read
    stays a problem until the person corrects it."""
    corrected = {(c.line, c.column) for c in corrections}
    parsed.repairs[:0] = [document.Note(*n) for n in reading.get("repairs", [])]
    parsed.problems[:0] = [
        document.Note(*n) for n in reading.get("problems", []) if (n[0], n[1]) not in corrected
    ]
    return parsed


def create_plan(
    text: str,
    *,
    actor: User,
    source_name: str,
    corrections: list[Correction] | None = None,
    parties: list[str] | None = None,
) -> Plan:
    """Import a plan document (with any corrections), or PlanImportError."""
    corrections = corrections or []
    parsed = read_with_corrections(text, corrections, parties)
    text = clean_text(text)
    cells = document_cells(text)
    originals = {(c.line, c.column): cells[(c.line, c.column)] for c in corrections}
    return save_plan(
        parsed,
        actor=actor,
        source_name=source_name,
        source_text=text,
        corrections=corrections,
        originals=originals,
    )


def record_corrections(upload: PlanImport, corrections: list[dict[str, Any]]) -> None:
    """Keep the person's corrections of an upload, refusing a value that cannot be stored."""
    place = "line" if upload.kind == ImportKind.DOCUMENT else "row"
    cells = upload_cells(upload)
    for correction in corrections:
        if (correction["line"], correction["column"]) not in cells:
            raise PlanImportError(
                f"There is no {correction['column']} cell on {place} {correction['line']} "
                "to correct."
            )
        refused = refusal(
            f"The correction of {place} {correction['line']}, {correction['column']}",
            correction["value"],
        )
        if refused:
            raise PlanImportError(f"{refused}.")
    upload.corrections = corrections
    upload.save(update_fields=["corrections"])


def read_import(upload: PlanImport) -> ParsedPlan:
    """What an upload reads as, with the corrections made so far."""
    corrections = [Correction(**c) for c in upload.corrections]
    if upload.kind == ImportKind.DOCUMENT:
        parsed = read_with_corrections(upload.text, corrections)
    else:
        try:
            rows = tables.corrected_rows(upload.rows, corrections)
        except tables.TableError as error:
            raise PlanImportError(str(error)) from error
        parsed = tables.parse_rows(rows, title=upload.title)
    return _with_reading(parsed, upload.reading, corrections)


def confirm_import(upload: PlanImport, *, actor: User) -> Plan:
    """Create the plan the preview showed, once no problem remains."""
    corrections = [Correction(**c) for c in upload.corrections]
    parsed = read_import(upload)
    cells = upload_cells(upload)
    originals = {(c.line, c.column): cells[(c.line, c.column)] for c in corrections}
    if upload.kind == ImportKind.DOCUMENT:
        source_text = upload.text
    else:
        source_text = "\n".join("\t".join(str(c) for c in values) for _, values in upload.rows)
    with transaction.atomic():
        plan = save_plan(
            parsed,
            actor=actor,
            source_name=upload.source_name,
            source_text=source_text,
            corrections=corrections,
            originals=originals,
        )
        upload.plan = plan
        upload.save(update_fields=["plan"])
    return plan


def save_plan(
    parsed: ParsedPlan,
    *,
    actor: User,
    source_name: str,
    source_text: str,
    corrections: list[Correction],
    originals: dict[tuple[int, str], str],
) -> Plan:
    """Write a plan that reads without problems, in one transaction."""
    if parsed.problems:
        raise PlanImportError(
            f"{len(parsed.problems)} problem(s) must be corrected first.", parsed.problems
        )
    text = source_text
    with transaction.atomic():
        plan = Plan.objects.create(
            title=parsed.title,
            adopted_on=parsed.adopted_on,
            date_wording=parsed.date_wording,
            introduction=parsed.introduction,
            source_name=source_name,
            source_text=text,
            created_by=actor,
        )
        party_rows = {
            name: Party.objects.create(plan=plan, name=name, position=n)
            for n, name in enumerate(parsed.parties, start=1)
        }
        Purpose.objects.bulk_create(
            Purpose(plan=plan, position=n, text=t) for n, t in enumerate(parsed.purposes, 1)
        )
        for n, theme in enumerate(parsed.themes, start=1):
            row = Theme.objects.create(
                plan=plan,
                position=n,
                title=theme.title,
                source=[theme.source.line, theme.source.column, theme.source.text],
            )
            for m, item in enumerate(theme.commitments, start=1):
                commitment = Commitment.objects.create(
                    theme=row,
                    position=m,
                    text=item.text,
                    source=[[s.line, s.column, s.text] for s in item.sources],
                )
                commitment.parties.set([party_rows[p] for p in item.parties])
        for action in parsed.actions:
            Action.objects.create(
                plan=plan,
                number=action.number,
                detail=action.detail,
                owner=action.owner,
                owner_party=party_rows[action.owner],
                due_on=action.due_on,
                due_wording=action.due_wording,
                source={column: _source(s, originals) for column, s in action.sources.items()},
            )
        audit.log_action(
            plan,
            "plan.import",
            actor=actor,
            summary=f"{actor} imported the plan “{plan.title}” from {source_name}",
            context=plan.audit_context,
            changes={
                "themes": [None, len(parsed.themes)],
                "commitments": [None, sum(len(t.commitments) for t in parsed.themes)],
                "actions": [None, len(parsed.actions)],
                **{
                    f"corrected line {c.line}, {c.column}": [originals[(c.line, c.column)], c.value]
                    for c in corrections
                },
            },
            note="\n".join(str(r) for r in parsed.repairs),
        )
    return plan


def upload_cells(upload: PlanImport) -> dict[tuple[int, str], str]:
    """Every cell of an upload as it came, by (line, column)."""
    if upload.kind == ImportKind.DOCUMENT:
        return document_cells(upload.text)
    return tables.cells(upload.rows)


def document_cells(text: str) -> dict[tuple[int, str], str]:
    cells: dict[tuple[int, str], str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split("\t")
        for column, index in COLUMNS.items():
            if index < len(parts):
                cells[(number, column)] = parts[index]
    return cells


def _source(source: document.Source, originals: dict[tuple[int, str], str]) -> dict[str, Any]:
    kept: dict[str, Any] = {"line": source.line, "text": source.text}
    original = originals.get((source.line, source.column))
    if original is not None:
        kept["original"] = original
    return kept


def update_action(action: Action, *, actor: User, data: dict[str, Any]) -> Action:
    """A plan owner edits an action: its number, detail, owning party, due date and the
    commitments it delivers. The due date's wording is kept beside the date read from it."""
    plan = action.plan
    if not rules.can_manage_plan(actor, plan):
        raise PlanImportError("Only the plan's owners edit its actions.")
    try:
        due_on = read(data["due_wording"]).by
    except DateWordingError as error:
        raise PlanImportError(f"{error}.", field="due_wording") from error
    number = data["number"]
    if plan.actions.filter(number=number).exclude(pk=action.pk).exists():
        raise PlanImportError(f"Action {number} already exists in this plan.", field="number")
    party = data["owner_party"]
    if party.plan_id != plan.pk:
        raise PlanImportError("Choose one of the plan's parties.", field="owner_party")
    fields = ["number", "detail", "owner", "owner_party", "due_wording", "due_on"]
    before = audit.snapshot(action, fields)
    action.number, action.detail = number, data["detail"]
    action.owner_party, action.owner = party, party.name
    action.due_wording, action.due_on = " ".join(data["due_wording"].split()), due_on
    with transaction.atomic():
        action.save()
        action.commitments.set(data.get("commitments") or [])
        audit.log_action(
            action,
            "action.update",
            actor=actor,
            summary=f"{actor} edited action {action.number} of the plan",
            context=plan.audit_context,
            changes=audit.diff(before, audit.snapshot(action, fields)),
        )
    return action


def record_review(plan: Plan, *, actor: User, data: dict[str, Any]) -> PlanReview:
    if not rules.can_manage_plan(actor, plan):
        raise PlanImportError("Only the plan's owners record its reviews.")
    with transaction.atomic():
        review = PlanReview.objects.create(plan=plan, recorded_by=actor, **data)
        plan.next_review_on = data.get("next_review_on")
        plan.save(update_fields=["next_review_on", "updated_at"])
        audit.log_action(
            review,
            "plan.review",
            actor=actor,
            summary=f"{actor} recorded a review of the plan",
            context=plan.audit_context,
            note=data["notes"],
            changes={"next_review_on": [None, data.get("next_review_on")]},
        )
    return review


def update_plan(plan: Plan, *, actor: User, data: dict[str, Any]) -> Plan:
    if not rules.can_manage_plan(actor, plan):
        raise PlanImportError("Only the plan's owners edit it.")
    fields = list(data)
    before = audit.snapshot(plan, fields)
    for name, value in data.items():
        setattr(plan, name, value)
    with transaction.atomic():
        plan.save()
        audit.log_action(
            plan,
            "plan.update",
            actor=actor,
            summary=f"{actor} edited the plan",
            context=plan.audit_context,
            changes=audit.diff(before, audit.snapshot(plan, fields)),
        )
    return plan
