"""The dashboard's filters, read from the query string: scheme, region, association, period
and how long a case must wait to count as stuck.

Only what the reader's scope holds is offered, and only that is accepted. A value outside it,
or one that is not a value at all, is ignored with a message naming the field: never an error
page, and never a figure from outside the reader's scope."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from accord.core.params import id_param
from accord.organisations.models import Association, Region
from accord.schemes.models import Scheme

from .rules import DashboardScope

PRESET = "last-12-months"
# The longest period shown: ten years of months keeps every monthly table bounded.
MAX_MONTHS = 120
STUCK_DAYS_MAX = 3650
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Options:
    """What the reader may choose: (id, name) pairs, read once per scope."""

    schemes: tuple[tuple[int, str], ...]
    regions: tuple[tuple[int, str], ...]
    associations: tuple[tuple[int, str, int], ...]  # (id, name, region id)


def options(scope: DashboardScope) -> Options:
    """The schemes and areas in `scope`: two queries."""
    schemes = Scheme.objects.order_by("name", "pk")
    lead_unions = {r.lead_union_id for r in scope.reaches}
    if None not in lead_unions:
        schemes = schemes.filter(lead_union_id__in=lead_unions)
    associations = Association.objects.select_related("region").order_by("name", "pk")
    if not scope.nationwide:
        associations = associations.filter(
            Q(pk__in=scope.association_ids) | Q(district_id__in=scope.district_ids)
        )
    found = list(associations)
    regions: dict[int, Region] = {a.region_id: a.region for a in found}
    return Options(
        schemes=tuple((s.pk, s.name) for s in schemes),
        regions=tuple(
            (r.pk, r.name) for r in sorted(regions.values(), key=lambda r: (r.name, r.pk))
        ),
        associations=tuple((a.pk, a.name, a.region_id) for a in found),
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of each month from `first`'s to `last`'s, both included."""
    found, month = [], month_start(first)
    while month <= last:
        found.append(month)
        month = add_months(month, 1)
    return found


def _month(value: str | None) -> datetime.date | None:
    match = _MONTH.fullmatch(value or "")
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


@dataclass
class Filters:
    """The filters in force, with a message for each value that was ignored."""

    today: datetime.date
    scheme: int | None = None
    region: int | None = None
    association: int | None = None
    first_month: datetime.date = datetime.date.min
    last_month: datetime.date = datetime.date.min
    preset: bool = True
    stuck_days: int = 14
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)

    @property
    def period_start(self) -> datetime.date:
        return self.first_month

    @property
    def period_end(self) -> datetime.date:
        """The last day of the period."""
        return add_months(self.last_month, 1) - datetime.timedelta(days=1)

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first_month, self.last_month)

    @property
    def period_words(self) -> str:
        span = f"{self.first_month:%B %Y} to {self.last_month:%B %Y}"
        return f"the last 12 months ({span})" if self.preset else span

    def key(self) -> str:
        """The filters as text, for the cache and the export links."""
        return (
            f"s{self.scheme}r{self.region}a{self.association}"
            f"p{self.first_month:%Y%m}-{self.last_month:%Y%m}d{self.stuck_days}t{self.today}"
        )

    def query(self) -> dict[str, str]:
        """The filters as a query string's values (those in force only)."""
        values: dict[str, str] = {}
        for name in ("scheme", "region", "association"):
            if getattr(self, name) is not None:
                values[name] = str(getattr(self, name))
        if not self.preset:
            values["from"] = f"{self.first_month:%Y-%m}"
            values["to"] = f"{self.last_month:%Y-%m}"
        if self.stuck_days != settings.ACCORD_STUCK_DAYS:
            values["stuck_days"] = str(self.stuck_days)
        return values

    def area_q(self, prefix: str = "") -> Q:
        """The chosen scheme and area, as a filter on a model whose `prefix` leads to `scheme`
        and `employer` (as `Reach.q`)."""
        condition = Q()
        if self.scheme is not None:
            condition &= Q(**{f"{prefix}scheme_id": self.scheme})
        if self.association is not None:
            condition &= Q(**{f"{prefix}employer__association_id": self.association})
        elif self.region is not None:
            condition &= Q(**{f"{prefix}employer__association__region_id": self.region})
        return condition


def _choice(
    params: Mapping[str, str], name: str, label: str, offered: set[int], errors: list
) -> int | None:
    raw = params.get(name, "")
    if raw == "":
        return None
    pk = id_param(raw)
    if pk is None or pk not in offered:
        errors.append((name, f"{label}: choose one from the list; “{raw[:40]}” was ignored."))
        return None
    return pk


def read(params: Mapping[str, str], opts: Options, today: datetime.date) -> Filters:
    """The filters in `params`, each checked against what `opts` offers."""
    errors: list[tuple[str, str]] = []
    scheme = _choice(params, "scheme", "Scheme", {pk for pk, _ in opts.schemes}, errors)
    region = _choice(params, "region", "Region", {pk for pk, _ in opts.regions}, errors)
    association = _choice(
        params, "association", "Association", {pk for pk, _, _ in opts.associations}, errors
    )
    if association is not None and region is not None:
        region_of = {pk: r for pk, _, r in opts.associations}[association]
        if region_of != region:
            errors.append(
                ("association", "Association: it is not in the region chosen, so it was ignored.")
            )
            association = None

    last_default = month_start(today)
    first_default = add_months(last_default, -11)
    first, last, preset = first_default, last_default, True
    raw_from, raw_to = params.get("from", ""), params.get("to", "")
    if params.get("period", "") != PRESET and (raw_from or raw_to):
        chosen_from, chosen_to = _month(raw_from), _month(raw_to)
        if raw_from and chosen_from is None:
            errors.append(("from", "From: give a month as YYYY-MM, for example 2026-01."))
        if raw_to and chosen_to is None:
            errors.append(("to", "To: give a month as YYYY-MM, for example 2026-12."))
        if chosen_from is not None or chosen_to is not None:
            first = chosen_from or add_months(chosen_to or last_default, -11)
            last = chosen_to or min(add_months(first, 11), last_default)
            if first > last:
                errors.append(("to", "To: the period must end after it starts; it was ignored."))
                first, last = first_default, last_default
            elif len(months_between(first, last)) > MAX_MONTHS:
                errors.append(
                    ("from", f"From: a period is at most {MAX_MONTHS // 12} years; it was ignored.")
                )
                first, last = first_default, last_default
            else:
                preset = False

    stuck_days = settings.ACCORD_STUCK_DAYS
    raw_days = params.get("stuck_days", "")
    if raw_days != "":
        days = id_param(raw_days)
        if days is None or days > STUCK_DAYS_MAX:
            errors.append(
                (
                    "stuck_days",
                    f"Stuck after: give a number of days from 1 to {STUCK_DAYS_MAX}; "
                    f"{stuck_days} was used.",
                )
            )
        else:
            stuck_days = days
    return Filters(
        today=today,
        scheme=scheme,
        region=region,
        association=association,
        first_month=first,
        last_month=last,
        preset=preset,
        stuck_days=stuck_days,
        errors=errors,
    )
