"""The progress picture of a member: for each principle, year by year, the employer's own
assessment, which principle each cycle worked on, and which were met. Drawn as a grid by the
one chart module (accord.core.charts), with the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass

from accord.core import charts
from accord.enrolments.models import Enrolment
from accord.schemes.models import Principle

from .models import Cycle, Outcome, Readiness


@dataclass
class Cell:
    readiness: str
    readiness_label: str
    worked_on: bool
    met: bool


@dataclass
class Picture:
    columns: list[str]
    principles: list[Principle]
    rows: list[list[Cell | None]]

    @property
    def is_empty(self) -> bool:
        return not self.columns

    @property
    def table(self) -> list[tuple[Principle, list[Cell | None]]]:
        return list(zip(self.principles, self.rows, strict=True))


def picture(enrolments: list[Enrolment]) -> Picture:
    """From the prefetched cycles (with self-assessments and reviews) of these enrolments."""
    cycles: list[Cycle] = sorted(
        (c for e in enrolments for c in e.cycles.all()), key=lambda c: (c.starts_on, c.number)
    )
    if not cycles:
        return Picture([], [], [])
    principles = list(enrolments[0].scheme.principles.order_by("number"))
    columns = [f"Cycle {c.number} ({c.starts_on:%Y})" for c in cycles]
    rows: list[list[Cell | None]] = []
    for principle in principles:
        row: list[Cell | None] = []
        for cycle in cycles:
            assessment = next(
                (
                    s
                    for s in cycle.self_assessments.all()
                    if s.principle_version.principle_id == principle.pk
                ),
                None,
            )
            worked_on = cycle.principle_version.principle_id == principle.pk
            met = worked_on and any(
                r.outcome == Outcome.MET and r.is_confirmed for r in cycle.reviews.all()
            )
            row.append(
                None
                if assessment is None
                else Cell(assessment.readiness, assessment.get_readiness_display(), worked_on, met)
            )
        rows.append(row)
    return Picture(columns, principles, rows)


def chart(pic: Picture, scheme_name: str) -> charts.Chart:
    """The picture drawn by the one chart module: a grid of principles by cycles, shaded by the
    employer's own assessment, the cycle's principle outlined in bold and marked worked on or
    met; its table says the same in words."""
    levels = [value for value, _ in Readiness.choices]
    cells = [
        [
            None
            if cell is None
            else charts.GridCell(
                level=levels.index(cell.readiness),
                text=cell.readiness_label
                + ("; worked on and met" if cell.met else "; worked on" if cell.worked_on else ""),
                mark="✔ met" if cell.met else ("● worked on" if cell.worked_on else ""),
                strong=cell.worked_on,
            )
            for cell in row
        ]
        for row in pic.rows
    ]
    return charts.grid(
        title=f"Principles worked on and met in the {scheme_name}, cycle by cycle",
        description=(
            "For each principle, cycle by cycle: the employer's own assessment (not yet, "
            "partly or in place, from lightest to darkest), the principle each cycle worked on "
            "(outlined in bold) and whether it was met."
        ),
        row_labels=[f"{p.number}. {p.short_title}" for p in pic.principles],
        column_labels=pic.columns,
        cells=cells,
        levels=[label for _, label in Readiness.choices],
        corner="Principle",
        strong_means="the cycle's principle",
        missing="not assessed",
    )
