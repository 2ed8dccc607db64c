"""Synthetic data at national scale (tens of thousands of employers), for the register's
query-count test and its benchmark. Fast: bulk inserts, no audit events, no e-mails."""

from __future__ import annotations

import datetime

from accord.accounts.models import User
from accord.membership.scale import list_in_bulk
from accord.organisations.models import Employer, EmployerKind, LocalAuthority, Region
from accord.schemes.models import Scheme

REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]


def build_national_register(scheme: Scheme, *, employers: int, members: int) -> None:
    """`employers` employers across 150 authorities, of which `members` are on the register
    (one in twenty of those suspended)."""
    regions = [Region.objects.get_or_create(name=name)[0] for name in REGIONS]
    authorities = [
        LocalAuthority.objects.get_or_create(
            code=f"8{n:02d}", defaults={"name": f"Authority {n}", "region": regions[n % 9]}
        )[0]
        for n in range(150)
    ]
    start = Employer.objects.count()
    kinds = [EmployerKind.SCHOOL] * 8 + [EmployerKind.ACADEMY_TRUST, EmployerKind.COLLEGE]
    Employer.objects.bulk_create(
        [
            Employer(
                name=f"Scale School {start + n:06d}",
                kind=kinds[n % len(kinds)],
                urn=f"7{start + n:06d}",
                local_authority=authorities[n % len(authorities)],
                postcode="B1 1AA",
            )
            for n in range(employers)
        ],
        batch_size=2000,
    )
    proposer = User.objects.create_user(
        f"scale{start}@example.org", email=f"scale{start}@example.org", full_name="Scale"
    )
    chosen = list(
        Employer.objects.filter(name__startswith="Scale School", memberships__isnull=True).order_by(
            "pk"
        )[:members]
    )
    list_in_bulk(
        scheme,
        chosen,
        proposer=proposer,
        since=datetime.date(2024, 9, 1),
        prefix="S",
        suspended_every=20,
    )
