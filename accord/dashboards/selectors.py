"""What the dashboard pages, the exports and the monthly report read: the figures for a scope
and filters, kept in the cache until the data changes or the day ends, and the key figures.

Counting a national dashboard reads every case, cycle and plan action in scope, which no page
should do on every request. The counts are kept in the cache under a key made of the scope, the
filters, today's date and a marker of the data's state: the highest id of the audit trail
(every change is audited) and of each table the dashboard counts (rows written without an
audit event, such as imports, still add ids). A change moves the marker, so a stale entry is
never read again and nothing needs deleting; the date in the key rolls the time-dependent
figures (overdue, stuck, due within 90 days) over at midnight. The marker costs one query of
index look-ups, whatever the data size."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accord.actions.models import Action
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.membership.models import Cycle, Membership, PolicyCheck, Review
from accord.organisations.models import Association, Employer, GiasImport
from accord.plans.models import Party, Plan
from accord.schemes.models import Scheme

from . import figures, filters
from .figures import OVERDUE, REVIEW_BUCKETS, WAITING_STATES, Figures
from .rules import DashboardScope, dashboard_scope

# Entries are keyed by the day, so none is read after midnight; they are left to expire.
TIMEOUT = 24 * 60 * 60
MARKED = (
    AuditEvent,
    Enrolment,
    Membership,
    Cycle,
    Review,
    Action,
    PolicyCheck,
    Plan,
    Party,
    Employer,
    Association,
    # A GIAS import may move employers between areas: each import is a new row.
    GiasImport,
    Scheme,
)


def cache() -> Any:
    """The dashboard's cache (settings.CACHES["dashboard"]: Redis, or each process's memory)."""
    return caches["dashboard"]


def data_marker() -> str:
    """The data's state, read in one query: the highest id of each table counted."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})" for m in MARKED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return "-".join(str(value or 0) for value in row)


def _key(*parts: str) -> str:
    return "dashboard:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


class Dashboard:
    """One reader's dashboard: what they may choose, what they chose, and the figures (read
    from the cache, or counted, when first asked for)."""

    def __init__(
        self, scope: DashboardScope, options: filters.Options, chosen: filters.Filters, key: str
    ) -> None:
        self.scope = scope
        self.options = options
        self.filters = chosen
        # The cache key of the figures: what is drawn from them may be kept under it too.
        self.key = key
        self._figures: Figures | None = None

    @property
    def figures(self) -> Figures:
        if self._figures is None:
            found = cache().get(self.key)
            if found is None:
                found = figures.compute(self.scope, self.filters)
                cache().set(self.key, found, TIMEOUT)
            self._figures = found
        return self._figures


def dashboard(scope: DashboardScope, params: Mapping[str, str], today: datetime.date) -> Dashboard:
    """The dashboard for `scope` with the filters in `params`. Reading the marker is one query;
    the options and the figures come from the cache while the data has not changed since they
    were counted (with a database cache, a query each), else are counted (two queries and
    two)."""
    marker = data_marker()
    options_key = _key("options", scope.key, marker)
    opts = cache().get(options_key)
    if opts is None:
        opts = filters.options(scope)
        cache().set(options_key, opts, TIMEOUT)
    chosen = filters.read(params, opts, today)
    return Dashboard(scope, opts, chosen, _key("figures", scope.key, chosen.key(), marker))


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: int
    link: str  # a path on this site: the dashboard's section that shows it


def key_figures(scope: DashboardScope, today: datetime.date | None = None) -> list[KeyFigure]:
    """The headline numbers of the dashboard for `scope`, with no filter (the last 12 months):
    what the monthly report sends. Empty for a scope with no reach."""
    if not scope.reaches:
        return []
    board = dashboard(scope, {}, today or timezone.localdate())
    f = board.figures
    url = reverse("dashboard")
    overdue, *coming = (f.reviews.get(days, 0) for days, _ in REVIEW_BUCKETS)
    found = [
        KeyFigure("Members", sum(f.members.values()), f"{url}#members"),
        KeyFigure(
            "Cases in progress",
            sum(n for (state, _), n in f.pipeline.items() if state in WAITING_STATES),
            f"{url}#pipeline",
        ),
        KeyFigure(
            f"Cases waiting more than {board.filters.stuck_days} days",
            sum(f.stuck.values()),
            f"{url}#stuck",
        ),
        KeyFigure("Reviews overdue", overdue, f"{url}#reviews"),
        KeyFigure(
            f"Reviews due in the next {figures.REVIEW_AHEAD_DAYS} days",
            sum(coming),
            f"{url}#reviews",
        ),
        KeyFigure("Members' activities overdue", f.activities_overdue, f"{url}#reviews"),
        KeyFigure(
            "Detriments found by policy checks in the last 12 months",
            sum(n for (_, assessment), n in f.policy_checks.items() if assessment == "detriment"),
            f"{url}#policy-checks",
        ),
    ]
    if scope.sees_plans:
        found.append(
            KeyFigure(
                "Plan actions overdue",
                sum(n for (_, _, bucket), n in f.plans.items() if bucket == OVERDUE),
                f"{url}#plans",
            )
        )
    return found


def key_figures_for(user: object, today: datetime.date | None = None) -> list[KeyFigure]:
    """`key_figures` for the scope `user` holds (empty if they may not see a dashboard)."""
    return key_figures(dashboard_scope(user), today)
