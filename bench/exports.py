"""Time and peak memory of the CSV and XLSX downloads at 1,000, 10,000 and 100,000 rows.

    .venv/bin/python bench/exports.py [--rows 1000,10000,100000] [--no-database]
                                      [--database-url postgres://postgres@127.0.0.1:5432/x]

Two parts. First the writers alone (`accord.core.exports.Table`), on rows made as they are
read, so that what is measured is what the download keeps: peak memory flat from 1,000 rows to
100,000 shows that nothing grows with the table. The old way (openpyxl holding the whole
workbook) is shown beside it up to 10,000 rows, for comparison. Then the employer directory's
download end to end, through Django's full request stack in this process (no network), as a
national officer, on a throwaway database (temporary SQLite, or a PostgreSQL database made
beside the one named) holding as many employers: the rows read from the database a chunk at a
time.

Each figure is measured twice: the time without tracemalloc (which slows Python down), then
the peak of Python's allocations with it, above what was allocated before the download began.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LONG = (
    "Produce a sector map showing the distribution of Union Learning Reps within government, "
    "and agree with each department how their time off for training is recorded"
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--no-database", action="store_true", help="the writers only")
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    return parser.parse_args()


def measure(run: Callable[[], int]) -> tuple[float, float, int]:
    """(seconds, peak MiB above the start, bytes written) of `run`, which returns the bytes
    it wrote."""
    start = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    run()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def made_rows(count: int) -> Iterator[dict[str, Any]]:
    """Rows like a list's: text, an identifier, a number, a date, a moment, a long text, and
    now and then text that would start a formula."""
    day = datetime.date(2020, 1, 1)
    moment = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    for n in range(count):
        yield {
            "name": f"=School {n}" if n % 97 == 0 else f"School number {n}",
            "urn": f"{100000 + n}",
            "count": n % 250,
            "due": day + datetime.timedelta(days=n % 3000),
            "updated": moment - datetime.timedelta(minutes=n),
            "detail": LONG if n % 10 == 0 else "Agree the plan",
        }


def writers(sizes: list[int]) -> None:
    from accord.core import exports

    table = exports.Table(
        "Bench",
        [
            exports.Column("Name", lambda row: row["name"]),
            exports.Column("URN", lambda row: row["urn"]),
            exports.Column("Count", lambda row: row["count"]),
            exports.Column("Due on", lambda row: row["due"]),
            exports.Column("Updated at", lambda row: row["updated"]),
            exports.Column("Detail", lambda row: row["detail"]),
        ],
    )

    def streamed(kind: str, count: int) -> Callable[[], int]:
        def run() -> int:
            method = table.csv_response if kind == "csv" else table.xlsx_response
            response = method(made_rows(count), filename="bench")
            return sum(len(chunk) for chunk in response.streaming_content)

        return run

    def openpyxl_whole(count: int) -> Callable[[], int]:
        def run() -> int:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.append(table.header)
            for values in table.rows(made_rows(count)):
                sheet.append([exports.safe_cell(v) for v in values[:3]] + values[3:4] + values[5:])
            buffer = io.BytesIO()
            book.save(buffer)
            return len(buffer.getvalue())

        return run

    print("### The writers alone (rows made as they are read)\n")
    print("| rows | format | seconds | peak MiB | size MiB |")
    print("|---:|---|---:|---:|---:|")
    for count in sizes:
        cases = [
            ("CSV, streamed", streamed("csv", count)),
            ("XLSX, streamed", streamed("xlsx", count)),
        ]
        if count <= 10_000:
            cases.append(("XLSX, openpyxl whole (old)", openpyxl_whole(count)))
        for label, run in cases:
            seconds, peak, size = measure(run)
            print(f"| {count:,} | {label} | {seconds:.2f} | {peak:.1f} | {size / 2**20:.1f} |")
            sys.stdout.flush()


def _employers(count: int, start: int) -> None:
    from accord.organisations.models import Employer, EmployerKind, LocalAuthority, Region

    region, _ = Region.objects.get_or_create(name="Bench region")
    authority, _ = LocalAuthority.objects.get_or_create(
        code="999", defaults={"name": "Bench authority", "region": region}
    )
    Employer.objects.bulk_create(
        (
            Employer(
                name=f"School number {n:06d}",
                kind=EmployerKind.SCHOOL,
                urn=f"{100000 + n}",
                postcode="NT1 1AA",
                street=f"{n} School Lane",
                town="Benchtown",
                local_authority=authority,
            )
            for n in range(start, start + count)
        ),
        batch_size=2000,
    )


def end_to_end(sizes: list[int], vendor: str) -> None:
    from django.db import connection, reset_queries
    from django.test import Client

    from accord.accounts.models import Role, RoleAssignment, User
    from accord.organisations.models import Union
    from accord.schemes.loader import load_builtin_scheme

    load_builtin_scheme("vws")
    officer = User.objects.create_user("officer@example.org", email="officer@example.org")
    RoleAssignment.objects.create(
        user=officer, role=Role.NATIONAL_OFFICER, union=Union.objects.get(short_name="NASUWT")
    )
    client = Client()
    client.force_login(officer)

    def download(kind: str) -> Callable[[], int]:
        def run() -> int:
            reset_queries()
            response = client.get(f"/employers/export.{kind}")
            assert response.status_code == 200, response.status_code
            return sum(len(chunk) for chunk in response.streaming_content)

        return run

    print(f"\n### The employer directory's download, end to end ({vendor})\n")
    print("| employers | format | seconds | peak MiB | size MiB | queries |")
    print("|---:|---|---:|---:|---:|---:|")
    # A first request pays for what every later one finds ready (imports, URL patterns).
    download("csv")()
    made = 0
    for count in sizes:
        _employers(count - made, made)
        made = count
        for kind in ("csv", "xlsx"):
            seconds, peak, size = measure(download(kind))
            connection.force_debug_cursor = True
            download(kind)()
            queries = len(connection.queries)
            connection.force_debug_cursor = False
            print(
                f"| {count:,} | {kind.upper()} | {seconds:.2f} | {peak:.1f} |"
                f" {size / 2**20:.1f} | {queries} |"
            )
            sys.stdout.flush()


def main() -> None:
    args = arguments()
    sizes = [int(size) for size in args.rows.split(",")]
    # The officer signs in with a password alone: two-factor sign-in is not what is measured.
    os.environ["ACCORD_MFA_REQUIRED"] = "0"
    import throwaway

    # Django set up on a throwaway database: the writers need its settings (the time zone),
    # the download its tables.
    with throwaway.database(args.database_url) as vendor:
        writers(sizes)
        if not args.no_database:
            end_to_end(sizes, vendor)


if __name__ == "__main__":
    main()
