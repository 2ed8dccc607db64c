"""The dashboard's tables, made from the counted figures: each table is what the page shows,
what its chart draws, and what its CSV and XLSX downloads hold, so the three always agree.

The steps, their order and their labels come from the joining process's one declaration
(`enrolments.process`); who a waiting case waits on is read from the roles each step names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from accord.accounts.models import Role
from accord.enrolments.process import MAIN_PATH, State, task_steps_from
from accord.membership.models import Assessment

from .figures import (
    ACTION_BUCKETS,
    DONE,
    DROPPED,
    MEMBERSHIP_CHANGES,
    OPEN,
    OVERDUE,
    REVIEW_BUCKETS,
    WAITING_STATES,
    Figures,
)
from .filters import Filters, Options

NO_AREA = "No association"
EMPLOYER_WORDS = "The employer"


@dataclass(frozen=True)
class Table:
    """One table of the dashboard: its address (`slug`, for the downloads), its title, its
    column headings and rows (the first cell of a row is its heading)."""

    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    # Columns holding a month (a date, the first of the month): shown "January 2026".
    month_columns: tuple[int, ...] = ()


@dataclass
class Section:
    slug: str
    heading: str
    intro: str
    tables: list[Table] = field(default_factory=list)


def waiting_for(state: State) -> str:
    """What a case in `state` waits for: the steps the process declares as tasks from it."""
    labels = [s.label for s in task_steps_from(state) if s.moves]
    return " or ".join(labels) if labels else state.label


def waiting_on(state: State) -> str:
    """Who a case in `state` waits on: the roles that may take its waiting steps."""
    roles: list[Role] = []
    for s in task_steps_from(state):
        if s.moves:
            roles += [r for r in Role if r in s.roles and r not in roles]
    words = [EMPLOYER_WORDS if r == Role.EMPLOYER_CONTACT else r.label for r in roles]
    return " or ".join(words) if words else "Nobody"


def _month_label(month: datetime.date) -> str:
    return f"{month:%b %Y}"


def pipeline(f: Figures, opts: Options) -> Section:
    regions = {pk: name for pk, name in opts.regions}
    present = sorted(
        {region for (_, region) in f.pipeline},
        key=lambda r: (r is None, regions.get(r, "") if r is not None else ""),
    )
    header = ["Step", *[regions.get(r, NO_AREA) if r is not None else NO_AREA for r in present]]
    rows = []
    for state in MAIN_PATH:
        counts = [f.pipeline.get((state.value, r), 0) for r in present]
        rows.append([state.label, *counts, sum(counts)])
    return Section(
        "pipeline",
        "Joining pipeline",
        "Open cases at each step of the joining process, by region; cases entering and "
        "leaving each month; and how long cases wait at each step.",
        [
            Table("open-cases", "Open cases at each step, by region", [*header, "Total"], rows),
        ],
    )


def monthly(f: Figures, chosen: Filters) -> Table:
    rows = [
        [m, f.entered.get((m.year, m.month), 0), f.left.get((m.year, m.month), 0)]
        for m in chosen.months
    ]
    return Table(
        "cases-by-month",
        "Cases entering and leaving the joining process each month",
        ["Month", "Entered (proposed)", "Left (listed or closed)"],
        rows,
        month_columns=(0,),
    )


def step_days(f: Figures) -> Table:
    rows = []
    for state in MAIN_PATH:
        if state in WAITING_STATES:
            taken, median = f.step_days.get(state.value, (0, None))
            rows.append([waiting_for(state), taken, median])
    return Table(
        "days-per-step",
        "Median days a case waited for each step, over the steps taken in the period",
        ["Step", "Steps taken", "Median days waited"],
        rows,
    )


def stuck(f: Figures, chosen: Filters) -> Section:
    by_step, by_role = [], {}
    for state in MAIN_PATH:
        if state in WAITING_STATES:
            n = f.stuck.get(state.value, 0)
            who = waiting_on(state)
            by_step.append([waiting_for(state), who, n])
            by_role[who] = by_role.get(who, 0) + n
    days = chosen.stuck_days
    return Section(
        "stuck",
        "Stuck cases",
        f"Cases in progress that have waited more than {days} days at their step.",
        [
            Table(
                "stuck-cases",
                f"Cases waiting more than {days} days, by the step they wait for",
                ["Step", "Waiting on", "Cases"],
                by_step,
            ),
            Table(
                "stuck-by-role",
                f"Cases waiting more than {days} days, by who they wait on",
                ["Waiting on", "Cases"],
                [[who, n] for who, n in by_role.items()],
            ),
        ],
    )


def members(f: Figures, opts: Options) -> Section:
    regions = {pk: name for pk, name in opts.regions}
    rows = [[name, f.members.get(pk, 0)] for pk, name in opts.regions]
    if f.members.get(None):
        rows.append([NO_AREA, f.members[None]])
    rows += [[f"Region {pk}", n] for pk, n in f.members.items() if pk and pk not in regions]
    return Section(
        "members",
        "Members by region",
        "Member employers (membership active today) in each region.",
        [Table("members-by-region", "Members by region", ["Region", "Members"], rows)],
    )


def reviews(f: Figures) -> Section:
    rows = [[label, f.reviews.get(days, 0)] for days, label in REVIEW_BUCKETS]
    return Section(
        "reviews",
        "Reviews due",
        "Members' current cycles whose review is overdue or falls due in the next 90 days.",
        [
            Table(
                "reviews-due",
                "Reviews overdue and due in the next 90 days",
                ["When", "Reviews"],
                rows,
            )
        ],
    )


def principles(f: Figures) -> Section:
    keys = sorted(set(f.chosen) | set(f.met))
    rows = [
        [year, f"Principle {number}", f.chosen.get((year, number), 0), f.met.get((year, number), 0)]
        for year, number in keys
    ]
    return Section(
        "principles",
        "Principles chosen and met",
        "Cycles agreed in the period, by the year they started and the principle chosen, and "
        "how many of them were met (a met review confirmed by the employer).",
        [
            Table(
                "principles",
                "Principles chosen per cycle and met, year by year",
                ["Year", "Principle", "Cycles agreed", "Met"],
                rows,
            )
        ],
    )


def changes(f: Figures, chosen: Filters) -> Section:
    labels = list(MEMBERSHIP_CHANGES.values())
    rows = [
        [m, *[f.changes.get((label, m.year, m.month), 0) for label in labels]]
        for m in chosen.months
    ]
    return Section(
        "membership-changes",
        "Lapses, suspensions and withdrawals",
        "Changes of membership status made in each month of the period.",
        [
            Table(
                "membership-changes",
                "Lapses, suspensions and withdrawals by month",
                ["Month", *labels],
                rows,
                month_columns=(0,),
            )
        ],
    )


def policy_checks(f: Figures) -> Section:
    years = sorted({year for year, _ in f.policy_checks})
    rows = []
    for year in years:
        counts = {a: f.policy_checks.get((year, a), 0) for a in ("", *Assessment.values)}
        rows.append(
            [
                year,
                sum(counts.values()),
                counts[Assessment.CONSISTENT],
                counts[Assessment.DETRIMENT],
                counts[""],
            ]
        )
    return Section(
        "policy-checks",
        "Policy checks and detriments",
        "Members' new policies logged in the period, and how they were assessed against the "
        "principles.",
        [
            Table(
                "policy-checks",
                "Policy checks and detriments, year by year",
                ["Year", "Logged", "Consistent", "Detriment found", "Not yet assessed"],
                rows,
            )
        ],
    )


BUCKET_ORDER = (DONE, OPEN, OVERDUE, DROPPED)


def plans(f: Figures) -> Section:
    titles: dict[int, str] = {}
    for plan, title, _ in f.plans:
        titles[plan] = title
    ordered = sorted(titles, key=lambda pk: (titles[pk].lower(), pk))
    plan_rows = [
        [titles[pk], *[f.plans.get((pk, titles[pk], b), 0) for b in BUCKET_ORDER]] for pk in ordered
    ]
    party_keys = sorted(
        {(plan, party) for plan, party, _ in f.parties},
        key=lambda k: (titles.get(k[0], "").lower(), k[0], k[1] or ""),
    )
    party_rows = [
        [
            titles.get(plan, ""),
            party or "No party named",
            *[f.parties.get((plan, party, b), 0) for b in BUCKET_ORDER],
        ]
        for plan, party in party_keys
    ]
    heads = [ACTION_BUCKETS[b] for b in BUCKET_ORDER]
    return Section(
        "plans",
        "Action plan status",
        "Actions of the joint action plans: done, open, overdue (open and past their date) "
        "and dropped.",
        [
            Table("plan-status", "Actions by plan", ["Plan", *heads], plan_rows),
            Table(
                "plan-parties", "Actions by plan and party", ["Plan", "Party", *heads], party_rows
            ),
        ],
    )


def sections(f: Figures, opts: Options, chosen: Filters, *, with_plans: bool) -> list[Section]:
    """Every section of the dashboard, in the page's order."""
    first = pipeline(f, opts)
    first.tables += [monthly(f, chosen), step_days(f)]
    found = [
        first,
        stuck(f, chosen),
        members(f, opts),
        reviews(f),
        principles(f),
        changes(f, chosen),
        policy_checks(f),
    ]
    if with_plans:
        found.append(plans(f))
    return found


def tables(found: list[Section]) -> dict[str, Table]:
    return {t.slug: t for s in found for t in s.tables}
