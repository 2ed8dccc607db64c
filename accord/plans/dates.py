"""Reading the dates people write in plans: "End October 2008", "End 2008", "31/07/2025".

A wording reads as a period (its first and last day): "October 2008" is the whole month, "End
October 2008" its last day. A by-date is the period's end. UK day-first order throughout.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9


class DateWordingError(ValueError):
    """The wording cannot be read as a date; the message says why, for the person importing."""


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date

    @property
    def by(self) -> datetime.date:
        """The date something is due by: the end of the period."""
        return self.last


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
    if not 1900 <= year <= 2200:
        raise DateWordingError(f"{text} is not a year Accord can use")
    return year


def _month(text: str) -> int:
    month = MONTHS.get(text.lower().rstrip("."))
    if month is None:
        raise DateWordingError(f"“{text}” is not a month")
    return month


def _day(year: int, month: int, day: int, wording: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise DateWordingError(f"“{wording}” is not a real date") from exc


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+\.?),?\s+(\d{4})$", re.I)
MONTH_DAY_YEAR = re.compile(r"^([a-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.I)
PART_MONTH_YEAR = re.compile(
    r"^(?:(end|late|mid|middle|start|beginning|early)\s+(?:of\s+)?)?([a-z]+\.?)\s+(\d{4})$", re.I
)
PART_YEAR = re.compile(
    r"^(?:(end|late|mid|middle|start|beginning|early)\s+(?:of\s+)?)?(\d{4})$", re.I
)
QUARTER = re.compile(r"^(?:q|quarter\s*)([1-4])\s+(\d{4})$", re.I)


def read(wording: str) -> Period:
    """The period a wording means, or DateWordingError."""
    text = " ".join((wording or "").replace("\u00a0", " ").split()).strip(" .")
    text = re.sub(r"^(?:by|before|due)\s+", "", text, flags=re.I)
    if not text:
        raise DateWordingError("no date given")
    if match := NUMERIC.match(text):
        day, month, year = int(match[1]), int(match[2]), _year(match[3])
        if month > 12:
            raise DateWordingError(
                f"“{wording}” is not a date in day/month/year order (the UK order)"
            )
        date = _day(year, month, day, wording)
        return Period(date, date)
    if match := ISO.match(text):
        date = _day(_year(match[1]), int(match[2]), int(match[3]), wording)
        return Period(date, date)
    if match := DAY_MONTH_YEAR.match(text):
        date = _day(_year(match[3]), _month(match[2]), int(match[1]), wording)
        return Period(date, date)
    if match := MONTH_DAY_YEAR.match(text):
        date = _day(_year(match[3]), _month(match[1]), int(match[2]), wording)
        return Period(date, date)
    if match := QUARTER.match(text):
        year, quarter = _year(match[2]), int(match[1])
        return Period(datetime.date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3))
    if match := PART_YEAR.match(text):
        year = _year(match[2])
        return _part(match[1], datetime.date(year, 1, 1), datetime.date(year, 12, 31), None)
    if match := PART_MONTH_YEAR.match(text):
        year, month = _year(match[3]), _month(match[2])
        return _part(match[1], datetime.date(year, month, 1), _month_end(year, month), 15)
    raise DateWordingError(f"“{wording}” cannot be read as a date")


def _part(
    part: str | None, first: datetime.date, last: datetime.date, middle_day: int | None
) -> Period:
    part = (part or "").lower()
    if part in ("end", "late"):
        return Period(last, last)
    if part in ("start", "beginning", "early"):
        return Period(first, first)
    if part in ("mid", "middle"):
        middle = first.replace(day=middle_day) if middle_day else first.replace(month=6, day=30)
        return Period(middle, middle)
    return Period(first, last)
