"""Time a GIAS import of N synthetic establishments, then a re-import of the same file.

    .venv/bin/python bench/gias_import.py [--rows 50000] [--database-url postgres://...]

Runs against a throwaway database (a temporary SQLite file, or a fresh PostgreSQL database made
from --database-url) and prints rows per second and peak memory.
"""

from __future__ import annotations

import csv
import io
import random
import resource
import time

import throwaway

TYPES = [
    "Academy converter",
    "Community school",
    "Voluntary aided school",
    "Free schools",
    "Academy sponsor led",
    "Foundation school",
    "Further education",
]
COLUMNS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "Trusts (code)",
    "Trusts (name)",
    "UKPRN",
    "Street",
    "Town",
    "Postcode",
]


def make_csv(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for n in range(rows):
        la = 300 + n % 150
        kind = TYPES[n % len(TYPES)]
        in_trust = kind.startswith("Academy") or kind == "Free schools"
        trust = 10000 + n % 2500
        writer.writerow(
            [
                100000 + n,
                la,
                f"Authority {la}",
                f"St Ann’s School {n}",
                kind,
                "Closed" if n % 40 == 0 else "Open",
                trust if in_trust else "",
                f"Trust {trust}" if in_trust else "",
                10000000 + n if n % 3 == 0 else "",
                f"{n} High Street",
                "Town",
                f"{rng.choice('BMLS')}{n % 99 + 1} {n % 10}"
                f"{rng.choice(letters)}{rng.choice(letters)}",
            ]
        )
    return out.getvalue().encode("cp1252")


def main() -> None:
    args = throwaway.arguments(__doc__.splitlines()[0], rows=50_000)
    with throwaway.database(args.database_url) as vendor:
        from accord.organisations.gias import import_gias
        from accord.organisations.models import Employer

        data = make_csv(args.rows)
        print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB, database: {vendor}")
        for label in ("first import", "re-import (no changes)"):
            start = time.perf_counter()
            report = import_gias(data)
            elapsed = time.perf_counter() - start
            print(
                f"{label}: {elapsed:.1f} s ({args.rows / elapsed:,.0f} rows/s) — {report.summary()}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"employers in the database: {Employer.objects.count()}; peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
