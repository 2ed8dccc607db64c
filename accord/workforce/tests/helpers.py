"""Shared by the workforce tests: a table for the world's employer or a plan, and clients."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client

from accord.accounts.models import User
from accord.organisations.models import Employer
from accord.plans.models import Party, Plan
from accord.workforce import services
from accord.workforce.models import Breakdown, FigureTable
from tests.world import PASSWORD

# Access to training by sex, as a union officer might enter it: 3 men took part, which is
# under 5 and must never be shown, nor worked out.
SEX_COUNTS = {
    ("female", 0): 40,
    ("female", 1): 12,
    ("female", 2): 9,
    ("male", 0): 30,
    ("male", 1): 6,
    ("male", 2): 3,
    ("not_known", 0): 7,
    ("not_known", 1): 5,
    ("not_known", 2): 5,
}


def client(persona: str) -> Client:
    c = Client()
    assert c.login(username=f"{persona}@example.org", password=PASSWORD)
    return c


def make_table(
    actor: User,
    *,
    employer: Employer | None = None,
    plan: Plan | None = None,
    party: Party | None = None,
    counts: dict[tuple[str, int], int] | None = None,
    **data: Any,
) -> FigureTable:
    values: dict[str, Any] = {
        "measure": "Access to training",
        "breakdown": Breakdown.SEX,
        "columns": ["Staff", "Applied", "Took part"],
        "starts_on": datetime.date(2025, 4, 1),
        "ends_on": datetime.date(2026, 3, 31),
        "party": party,
        **data,
    }
    table = services.create_table(actor=actor, employer=employer, plan=plan, data=values)
    return services.set_counts(table, actor=actor, counts=SEX_COUNTS if counts is None else counts)
