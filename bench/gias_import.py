"""Time a GIAS import of N synthetic establishments against a raw bulk load of the same bytes.

    .venv/bin/python bench/gias_import.py [--rows 50000] [--repeat 3]
                                          [--database-url postgres://postgres@127.0.0.1:5432/x]

For SQLite, and for PostgreSQL when --database-url names a server, it measures:
- the raw bulk load of the file into a scratch table of text columns: the `sqlite3` command
  line's `.import --csv`, or `COPY ... FROM STDIN` through psycopg;
- Accord's first import of the file into a freshly migrated database;
- a re-import of the same file, which changes nothing.
Each measurement runs in a child process of its own, so that each peak memory (maxrss) is its
own. The rounds are interleaved and the medians printed, with each import's ratio to the raw
load measured in the same rounds; on SQLite the processes' CPU time is given too, which a
machine busy with other work disturbs less than the time on the clock.

PostgreSQL databases are made beside the one named (`<name>_gias_bench_*`) and dropped after.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

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


# The children: each measures one thing and prints a line of JSON.


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _django(database_url: str) -> None:
    # Settings as in production (DEBUG off: no query log), with throwaway secrets.
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only",
            "ACCORD_AUDIT_KEY": "bench-only",
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "ACCORD_SITE_URL": "http://localhost",
            "ACCORD_VAR_DIR": os.environ.get("BENCH_VAR_DIR", tempfile.gettempdir()),
            "DJANGO_SETTINGS_MODULE": "accord.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_migrate(database_url: str) -> dict:
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def child_import(database_url: str, path: str) -> dict:
    _django(database_url)
    from accord.organisations.gias import import_gias

    cpu, start = _cpu(), time.perf_counter()
    with open(path, "rb") as file:
        report = import_gias(file)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu": _cpu() - cpu,
        "peak_mb": _peak_mb(),
        "summary": report.summary(),
    }


def child_sqlite_load(path: str, scratch: str) -> dict:
    """`.import --csv` of the file into a new table of a new database file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["sqlite3", scratch, f".import --csv {path} scratch"], check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": after.ru_maxrss / 1024}


def child_copy(database_url: str, path: str) -> dict:
    """COPY ... FROM STDIN of the file into a scratch table of text columns, as it is."""
    import psycopg

    with open(path, "rb") as file:
        header = next(csv.reader(io.TextIOWrapper(file, encoding="cp1252", newline="")))
    columns = ", ".join(f'"{c}" text' for c in header)
    with psycopg.connect(database_url) as connection:
        connection.execute("DROP TABLE IF EXISTS gias_scratch")
        connection.execute(f"CREATE TABLE gias_scratch ({columns})")
        connection.commit()
        cpu, start = _cpu(), time.perf_counter()
        with (
            connection.cursor() as cursor,
            open(path, "rb") as file,
            cursor.copy(
                "COPY gias_scratch FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'WIN1252')"
            ) as copy,
        ):
            while block := file.read(1 << 16):
                copy.write(block)
        connection.commit()
        seconds = time.perf_counter() - start
        cpu = _cpu() - cpu
        connection.execute("DROP TABLE gias_scratch")
        connection.commit()
    return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb()}


CHILDREN = {
    "migrate": child_migrate,
    "import": child_import,
    "sqlite-load": child_sqlite_load,
    "copy": child_copy,
}


def run_child(name: str, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", name, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# The parent


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


class SQLite:
    label = "SQLite"
    raw_label = "sqlite3 .import --csv"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        run_child("migrate", f"sqlite:///{self.template}")

    def fresh(self, round_: int) -> str:
        path = self.workdir / f"round{round_}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def raw_load(self, path: Path, round_: int) -> dict:
        scratch = self.workdir / f"scratch{round_}.sqlite3"
        return run_child("sqlite-load", str(path), str(scratch))

    def close(self) -> None:
        pass


class PostgreSQL:
    label = "PostgreSQL"
    raw_label = "COPY ... FROM STDIN"

    def __init__(self, url: str) -> None:
        self.url = url
        self.base = (urlsplit(url).path.lstrip("/") or "accord") + "_gias_bench"
        self.made: list[str] = []
        self.template = self._create(f"{self.base}_template")
        run_child("migrate", _with_database(url, self.template))

    def _create(self, name: str, template: str = "") -> str:
        _admin(self.url, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(
            self.url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )
        self.made.append(name)
        return name

    def fresh(self, round_: int) -> str:
        return _with_database(self.url, self._create(f"{self.base}_{round_}", self.template))

    def raw_load(self, path: Path, round_: int) -> dict:
        return run_child("copy", _with_database(self.url, self.template), str(path))

    def close(self) -> None:
        for name in reversed(self.made):
            _admin(self.url, f'DROP DATABASE IF EXISTS "{name}"')


def measure(database: SQLite | PostgreSQL, path: Path, repeat: int) -> list[dict]:
    """Interleaved rounds of raw load, first import, re-import; returns the rounds."""
    rounds = []
    for round_ in range(repeat):
        url = database.fresh(round_)
        raw = database.raw_load(path, round_)
        first = run_child("import", url, str(path))
        again = run_child("import", url, str(path))
        rounds.append({"raw": raw, "first": first, "again": again})
        print(
            f"  round {round_ + 1}: raw {raw['seconds']:.2f} s, first {first['seconds']:.2f} s, "
            f"re-import {again['seconds']:.2f} s",
            flush=True,
        )
    print(f"  first import:  {rounds[-1]['first']['summary']}")
    print(f"  re-import:     {rounds[-1]['again']['summary']}")
    return rounds


def report(database: SQLite | PostgreSQL, rounds: list[dict]) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(r[kind][key] for r in rounds)

    def ratio(kind: str, key: str) -> float:
        # Each round's import against the raw load of the same round, then the median.
        return statistics.median(r[kind][key] / r["raw"][key] for r in rounds)

    show_cpu = isinstance(database, SQLite)
    head = f"  {'measurement':<26} {'seconds':>8} {'ratio':>7}"
    head += f" {'CPU s':>7} {'CPU ratio':>9}" if show_cpu else ""
    print(head + f" {'peak MB':>8}")
    for kind, label in (
        ("raw", database.raw_label),
        ("first", "first import"),
        ("again", "no-change re-import"),
    ):
        line = f"  {label:<26} {median(kind, 'seconds'):>8.2f} {ratio(kind, 'seconds'):>6.1f}×"
        if show_cpu:
            line += f" {median(kind, 'cpu'):>7.2f} {ratio(kind, 'cpu'):>8.1f}×"
        peak = max(r[kind]["peak_mb"] for r in rounds)
        print(line + f" {peak:>8.0f}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-gias-bench-") as workdir:
        os.environ["BENCH_VAR_DIR"] = workdir
        path = Path(workdir) / "edubasealldata.csv"
        data = make_csv(args.rows)
        path.write_bytes(data)
        print(
            f"GIAS import of {args.rows:,} rows ({len(data) / 1e6:.1f} MB), "
            f"median of {args.repeat} interleaved rounds; ratio = import ÷ raw load"
        )
        databases: list[SQLite | PostgreSQL] = []
        try:
            databases.append(SQLite(Path(workdir)))
            if args.database_url:
                databases.append(PostgreSQL(args.database_url))
            for database in databases:
                print(f"{database.label}:")
                rounds = measure(database, path, args.repeat)
                report(database, rounds)
        finally:
            for database in databases:
                database.close()


if __name__ == "__main__":
    main()
