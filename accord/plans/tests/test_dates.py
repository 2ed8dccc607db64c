"""The date-wording parser: examples from plans, and properties over any input."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.plans.dates import DateWordingError, read

D = datetime.date


@pytest.mark.parametrize(
    ("wording", "by"),
    [
        ("End October 2008", D(2008, 10, 31)),
        ("End November 2008", D(2008, 11, 30)),
        ("End 2008", D(2008, 12, 31)),
        ("end of February 2024", D(2024, 2, 29)),
        ("October 2008", D(2008, 10, 31)),
        ("Mid March 2009", D(2009, 3, 15)),
        ("Early June 2009", D(2009, 6, 1)),
        ("31/07/2025", D(2025, 7, 31)),
        ("1/8/25", D(2025, 8, 1)),
        ("31.07.2025", D(2025, 7, 31)),
        ("2025-07-31", D(2025, 7, 31)),
        ("31 July 2025", D(2025, 7, 31)),
        ("31st Jul 2025", D(2025, 7, 31)),
        ("July 31, 2025", D(2025, 7, 31)),
        ("by 30 Sept 2025", D(2025, 9, 30)),
        ("Q3 2009", D(2009, 9, 30)),
        ("  End\u00a0October   2008. ", D(2008, 10, 31)),
    ],
)
def test_wordings_read_as_their_by_date(wording: str, by: datetime.date) -> None:
    assert read(wording).by == by


def test_a_month_is_read_as_the_whole_month() -> None:
    period = read("July 2008")
    assert (period.first, period.last) == (D(2008, 7, 1), D(2008, 7, 31))


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        ("31/02/2025", "is not a real date"),
        ("07/31/2025", "day/month/year order"),
        ("Ongoing", "cannot be read as a date"),
        ("", "no date given"),
        ("End Octember 2008", "is not a month"),
        ("End 1066", "is not a year"),
    ],
)
def test_unreadable_wordings_say_why(wording: str, message: str) -> None:
    with pytest.raises(DateWordingError, match=message):
        read(wording)


@given(st.text(max_size=40))
def test_any_text_either_reads_or_says_why(text: str) -> None:
    try:
        period = read(text)
    except DateWordingError as error:
        assert str(error)
    else:
        assert period.first <= period.last


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31)))
def test_every_date_written_the_uk_way_reads_back(date: datetime.date) -> None:
    assert read(date.strftime("%d/%m/%Y")).by == date
    assert read(f"{date.day} {date:%B %Y}").by == date
    assert read(date.isoformat()).by == date


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31)))
def test_end_of_a_month_is_its_last_day(date: datetime.date) -> None:
    by = read(f"End {date:%B %Y}").by
    assert (by.year, by.month) == (date.year, date.month)
    assert (by + datetime.timedelta(days=1)).day == 1
