"""Creating a plan from an imported document, with the importing person's corrections.

A correction replaces one cell (by line and column) and the document is read again, so every
rule is checked on what will be saved. Nothing is written while a problem remains. Each saved
item keeps the text it was read from, and a corrected cell keeps its original beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accord.accounts.models import User
from accord.actions.models import Action
from accord.core import audit
from accord.core.errors import DomainError

from . import document
from .document import ParsedPlan
from .models import Commitment, Party, Plan, Purpose, Theme

COLUMNS = {"Issue": 0, "Action": 1, **{c: i for i, c in enumerate(document.WORKPLAN_COLUMNS)}}


class PlanImportError(DomainError):
    def __init__(self, message: str, problems: list[document.Note] | None = None) -> None:
        super().__init__(message)
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
        cells[index] = correction.value
        lines[correction.line - 1] = "\t".join(cells)
    return "\n".join(lines) + "\n"


def read_with_corrections(
    text: str, corrections: list[Correction], parties: list[str] | None = None
) -> ParsedPlan:
    return document.parse(corrected_text(text, corrections), parties=parties)


def create_plan(
    text: str,
    *,
    actor: User,
    source_name: str,
    corrections: list[Correction] | None = None,
    parties: list[str] | None = None,
) -> Plan:
    corrections = corrections or []
    parsed = read_with_corrections(text, corrections, parties)
    if parsed.problems:
        raise PlanImportError(
            f"{len(parsed.problems)} problem(s) must be corrected first.", parsed.problems
        )
    originals = {(c.line, c.column): _cell(text, c) for c in corrections}
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


def _cell(text: str, correction: Correction) -> str:
    cells = text.splitlines()[correction.line - 1].split("\t")
    return cells[COLUMNS[correction.column]]


def _source(source: document.Source, originals: dict[tuple[int, str], str]) -> dict[str, Any]:
    kept: dict[str, Any] = {"line": source.line, "text": source.text}
    original = originals.get((source.line, source.column))
    if original is not None:
        kept["original"] = original
    return kept
