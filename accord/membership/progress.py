"""The progress picture of a member: for each principle, year by year, the employer's own
assessment, which principle each cycle worked on, and which were met. Drawn as SVG, with the
same figures as a table for those who cannot see the chart."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from accord.enrolments.models import Enrolment
from accord.schemes.models import Principle

from .models import Cycle, Outcome, Readiness

COLOURS = {Readiness.NOT_YET: "#f3f2f1", Readiness.PARTLY: "#b6d0e8", Readiness.IN_PLACE: "#1d70b8"}
TEXT = {Readiness.NOT_YET: "#0b0c0c", Readiness.PARTLY: "#0b0c0c", Readiness.IN_PLACE: "#ffffff"}


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


def render_svg(pic: Picture) -> str:
    label_w, cell_w, cell_h, top = 230, 120, 34, 40
    width = max(label_w + cell_w * len(pic.columns) + 10, 700)  # room for the legend
    height = top + cell_h * len(pic.principles) + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="progress-chart-title" '
        'font-family="Arial, sans-serif" font-size="12">',
        '<title id="progress-chart-title">Principles worked on and met, and the employer\'s '
        "own assessment, cycle by cycle (the table below gives the same figures)</title>",
    ]
    for i, column in enumerate(pic.columns):
        x = label_w + i * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x}" y="{top - 12}" text-anchor="middle" '
            f'font-weight="bold">{escape(column)}</text>'
        )
    for j, (principle, row) in enumerate(zip(pic.principles, pic.rows, strict=True)):
        y = top + j * cell_h
        parts.append(
            f'<text x="0" y="{y + cell_h / 2 + 4}">'
            f"{principle.number}. {escape(principle.short_title)}</text>"
        )
        for i, cell in enumerate(row):
            x = label_w + i * cell_w
            fill = COLOURS.get(cell.readiness, "#ffffff") if cell else "#ffffff"
            stroke = 3 if cell and cell.worked_on else 1
            parts.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell_w - 4}" '
                f'height="{cell_h - 4}" fill="{fill}" stroke="#505a5f" stroke-width="{stroke}"/>'
            )
            if cell is None:
                continue
            mark = "✔ met" if cell.met else ("● worked on" if cell.worked_on else "")
            if mark:
                parts.append(
                    f'<text x="{x + cell_w / 2}" y="{y + cell_h / 2 + 4}" '
                    f'text-anchor="middle" font-weight="bold" '
                    f'fill="{TEXT.get(cell.readiness, "#0b0c0c")}">{mark}</text>'
                )
    legend_y = top + cell_h * len(pic.principles) + 25
    x = 0
    for readiness, label in Readiness.choices:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 11}" width="14" height="14" '
            f'fill="{COLOURS[readiness]}" stroke="#505a5f"/>'
            f'<text x="{x + 20}" y="{legend_y}">{escape(label)}</text>'
        )
        x += 150
    parts.append(f'<text x="{x}" y="{legend_y}">Bold border: the cycle\'s principle</text>')
    parts.append("</svg>")
    return "\n".join(parts)
