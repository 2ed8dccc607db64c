"""Reading filter values from a query string: one place that decides what a value may be, so
that a value nobody could have chosen is ignored rather than reaching the database."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import clean_text

# Database ids are positive 64-bit integers, written in ASCII digits: "²".isdigit() is true, and
# int() takes "١٢", but neither is an id a page ever offered.
_ID = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def id_param(value: str | None) -> int | None:
    """The id in `value`, or None when it is missing or not an id that could exist."""
    if value is None or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


# Far beyond any real list, and small enough that the OFFSET it leads to fits every database.
MAX_PAGE = 1_000_000


def page_param(value: str | None) -> int:
    """A page number: 1 when missing or not a number, at most MAX_PAGE."""
    return min(id_param(value) or 1, MAX_PAGE)


def text_param(value: str | None, *, max_length: int = 100) -> str:
    """A search text: control characters dropped (NUL among them, which PostgreSQL refuses),
    spaces trimmed, at most `max_length` long."""
    return clean_text(value or "", multiline=False).strip()[:max_length]


def choice_param(value: str | None, choices: Iterable[str]) -> str:
    """`value` if it is one of `choices`, else "" (no filter)."""
    return value if value is not None and value in set(choices) else ""
