"""The dashboard's charts, drawn from its tables by the one chart module (`core.charts`): each
chart shows the figures of a table on the page, and carries them as its own data table."""

from __future__ import annotations

import datetime

from accord.core import charts

from .sections import Section, Table


def _label(value: object) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%b %Y}"
    return str(value)


def _columns(table: Table, unit: str, description: str, first: int = 1) -> charts.Chart:
    return charts.columns(
        title=table.title,
        description=description,
        categories=[_label(row[0]) for row in table.rows],
        series=[
            (h, [row[i] for row in table.rows]) for i, h in enumerate(table.header) if i >= first
        ],
        unit=unit,
        label_heading=table.header[0],
        id=f"chart-{table.slug}",
    )


def _bar(table: Table, column: int, unit: str, description: str, title: str = "") -> charts.Chart:
    return charts.bar(
        title=title or table.title,
        description=description,
        rows=[(_label(row[0]), row[column]) for row in table.rows],
        unit=unit,
        label_heading=table.header[0],
        id=f"chart-{table.slug}",
    )


def _members_map(table: Table) -> charts.Chart:
    """The tile grid of UK regions, for the regions it knows; a bar chart when none is."""
    known = {str(row[0]): row[1] for row in table.rows if charts.region_code(str(row[0]))}
    description = (
        "Each tile is a region of the UK, placed roughly where it lies; the darker the tile, "
        "the more members. The figure is written on each tile."
    )
    if not known:
        return _bar(table, 1, "members", "Members in each region.")
    return charts.tile_map(
        title=table.title,
        description=description,
        tiles=charts.uk_region_tiles(known, default=0),
        unit="members",
        id=f"chart-{table.slug}",
    )


def section_charts(section: Section) -> list[charts.Chart]:
    """The charts of one section, in the order its tables come."""
    t = {table.slug: table for table in section.tables}
    match section.slug:
        case "pipeline":
            return [
                _bar(
                    t["open-cases"],
                    -1,
                    "cases",
                    "Open cases at each step, all regions together; the table below gives "
                    "them by region.",
                    title="Open cases at each step",
                ),
                _columns(
                    t["cases-by-month"],
                    "cases",
                    "Cases proposed (entered) and listed or closed (left), month by month.",
                ),
                _bar(
                    t["days-per-step"],
                    2,
                    "days",
                    "The median number of days a case waited for each step.",
                ),
            ]
        case "stuck":
            return [
                _bar(t["stuck-cases"], 2, "cases", "Stuck cases at each step."),
                _bar(t["stuck-by-role"], 1, "cases", "Stuck cases by who they wait on."),
            ]
        case "members":
            return [_members_map(t["members-by-region"])]
        case "reviews":
            return [_bar(t["reviews-due"], 1, "reviews", "Reviews by when they fall due.")]
        case "principles":
            return [_principles(t["principles"])]
        case "membership-changes":
            return [
                _columns(
                    t["membership-changes"],
                    "memberships",
                    "Lapses, suspensions, withdrawals and reinstatements, month by month.",
                )
            ]
        case "policy-checks":
            return [
                _columns(
                    t["policy-checks"],
                    "policy checks",
                    "Policy checks logged each year, by how they were assessed.",
                    first=2,
                )
            ]
        case "plans":
            table = t["plan-status"]
            return [
                charts.stacked_bar(
                    title=table.title,
                    description="Each plan's actions: done, open, overdue and dropped.",
                    categories=[str(row[0]) for row in table.rows],
                    series=[
                        (h, [row[i] for row in table.rows]) for i, h in enumerate(table.header) if i
                    ],
                    unit="actions",
                    label_heading="Plan",
                    id=f"chart-{table.slug}",
                )
            ]
    return []


def _principles(table: Table) -> charts.Chart:
    """Cycles agreed and met, year by year (all principles together; the table splits them)."""
    years = sorted({row[0] for row in table.rows})
    agreed = {y: sum(r[2] for r in table.rows if r[0] == y) for y in years}
    met = {y: sum(r[3] for r in table.rows if r[0] == y) for y in years}
    return charts.columns(
        title="Cycles agreed and met, year by year",
        description="Cycles agreed each year and how many of them were met; the table below "
        "gives them by principle.",
        categories=[str(y) for y in years],
        series=[("Cycles agreed", [agreed[y] for y in years]), ("Met", [met[y] for y in years])],
        unit="cycles",
        label_heading="Year",
        id=f"chart-{table.slug}",
    )
