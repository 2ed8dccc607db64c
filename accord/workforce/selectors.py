"""Reads of workforce figures that pages share, each with what its page needs loaded."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import FigureTable

# A page lists at most this many tables (newest period first): a long history is paged.
TABLES_PAGE = 50


def tables() -> QuerySet[FigureTable]:
    return FigureTable.objects.select_related("plan", "employer", "party", "entered_by")


def table(pk: int) -> FigureTable:
    """A table with its cells, or FigureTable.DoesNotExist."""
    return tables().prefetch_related("cells").get(pk=pk)


def plan_tables(plan_id: int) -> QuerySet[FigureTable]:
    return tables().filter(plan_id=plan_id)


def employer_tables(employer_id: int) -> QuerySet[FigureTable]:
    return tables().filter(employer_id=employer_id)


def public_tables(employer_id: int) -> QuerySet[FigureTable]:
    """An employer's tables marked public, with their cells, for its public page."""
    return (
        FigureTable.objects.filter(employer_id=employer_id, public=True)
        .select_related("employer")
        .prefetch_related("cells")[:TABLES_PAGE]
    )
