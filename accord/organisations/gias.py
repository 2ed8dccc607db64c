"""Import employers from the DfE "Get Information About Schools" establishment CSV.

Keyed on the URN (schools) and the group UID (trusts) and the LA code (local authorities), so a
re-import updates in place and never duplicates. Bad or duplicate rows are skipped and reported
by line; the whole import is one transaction, and one audited act.

A national file holds some 50,000 establishments, so the file is read as a stream and written in
batches. Each employer keeps a digest of the row it was last brought into line with (and of the
local authority, parent and association that row led to). A row whose digest matches is
unchanged and costs no write at all; only the others are compared with what is stored, field by
field. The digest holds only while the employer is as the import left it: any other change moves
its `updated_at` away from its `gias_synced_at`, and then the next import compares it in full.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import gt, itemgetter
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Value, When
from django.utils import timezone

from accord.core import audit
from accord.core.signals import employers_changed
from accord.core.text import UNSAFE_IN_LINE, refusal

from .models import Association, Employer, EmployerKind, GiasImport, LocalAuthority, Region

REQUIRED_COLUMNS = ("URN", "EstablishmentName", "LA (code)", "LA (name)")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
# A postcode written as it is stored already, as GIAS writes them.
NORMAL_POSTCODE_RE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
_SPACES = re.compile(r"\s+")
# GIAS establishment types whose staff the local authority employs.
LA_MAINTAINED_TYPES = {
    "Community school",
    "Community special school",
    "Voluntary controlled school",
    "LA nursery school",
    "Pupil referral unit",
}
COLLEGE_TYPES = {"Further education", "Sixth form centres", "Other further education"}
# Fields an import owns on an establishment; anything else is left alone. The association
# follows the local authority's unless an officer set it by hand (`association_overridden`).
SCHOOL_FIELDS = (
    "name",
    "kind",
    "establishment_type",
    "street",
    "town",
    "postcode",
    "local_authority_id",
    "parent_id",
    "is_open",
    "status_name",
    "ukprn",
)
# Rows held before they are written: bounds memory whatever the size of the file.
CHUNK = 2000
# Longest value each column may hold (the database's limits).
MAX_LENGTHS = {
    "URN": 10,
    "EstablishmentName": 200,
    "LA (code)": 10,
    "LA (name)": 100,
    "TypeOfEstablishment (name)": 100,
    "EstablishmentStatus (name)": 50,
    "Trusts (code)": 10,
    "Trusts (name)": 200,
    "UKPRN": 10,
    "Street": 200,
    "Town": 100,
    "GOR (name)": 100,
}
# Every column the import reads: a row whose cells in these are as before is the same row.
READ_COLUMNS = (*REQUIRED_COLUMNS, *(c for c in MAX_LENGTHS if c not in REQUIRED_COLUMNS))
READ_COLUMNS = (*READ_COLUMNS, "Postcode")
# The longest each read column may be, in READ_COLUMNS' order, to check a row in one go.
_LIMITS = tuple(MAX_LENGTHS.get(c, 1 << 30) for c in READ_COLUMNS)
_READ_BLOCK = 1 << 16


class GiasFileError(Exception):
    """The file as a whole cannot be imported (not a GIAS CSV)."""


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    trusts_created: int = 0
    authorities_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    sha256: str = ""

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped; {self.closed} closed; "
            f"{self.trusts_created} trusts and {self.authorities_created} local authorities "
            "created."
        )


def normalise_postcode(value: str) -> str | None:
    """'sw1a1aa' → 'SW1A 1AA'; None when it is not a UK postcode."""
    if NORMAL_POSTCODE_RE.fullmatch(value or ""):
        return value
    compact = _SPACES.sub("", value or "").upper()
    match = POSTCODE_RE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


# Reading the file


class _Raw(io.RawIOBase):
    """Anything with read(n) (an upload, an open file) as a raw stream for io.TextIOWrapper."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def inspect_file(file: IO[bytes]) -> tuple[str, str]:
    """The file's SHA-256 and its encoding, read a block at a time and rewound. GIAS files come
    in Windows-1252; others arrive as UTF-8 (with or without a byte order mark)."""
    file.seek(0)
    sha = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    while block := file.read(_READ_BLOCK):
        sha.update(block)
        if is_utf8:
            try:
                utf8.decode(block)
            except UnicodeDecodeError:
                is_utf8 = False
        if is_cp1252:
            try:
                block.decode("cp1252")  # one byte a character: blocks decode on their own
            except UnicodeDecodeError:
                is_cp1252 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    file.seek(0)
    if is_utf8:
        return sha.hexdigest(), "utf-8-sig"
    if is_cp1252:
        return sha.hexdigest(), "cp1252"
    raise GiasFileError("The file is neither UTF-8 nor Windows-1252 text.")


@dataclass
class _Rows:
    """The rows of a GIAS file as lists of cells, read lazily, with the header's positions."""

    reader: Any
    columns: list[str]
    position: dict[str, int]
    count: int = 0  # rows read so far

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells): one cell a column, then a blank one that absent columns read."""
        width = len(self.columns)
        reader = self.reader
        for cells in reader:
            if not cells:
                continue  # a blank line, as csv.DictReader skips it
            self.count += 1
            count = len(cells)
            if count < width:
                cells += [""] * (width - count)
            elif count > width:
                del cells[width:]  # cells beyond the header's, which csv.DictReader leaves out
            cells.append("")
            # line_num is the physical line the row ends on, which is what a spreadsheet shows.
            yield reader.line_num, cells

    def index(self, column: str) -> int:
        """Where a column's cell is in a row; the blank cell at the end if it is absent."""
        return self.position.get(column, len(self.columns))

    def unstorable(self, cells: list[str]) -> str | None:
        """Why the row cannot be stored as it is: a cell holding control characters."""
        if not UNSAFE_IN_LINE.search("".join(cells)):
            return None
        for column, i in self.position.items():
            refused = refusal(column, cells[i].strip(), multiline=False)
            if refused:
                return refused
        return None


def read_rows(file: IO[bytes], encoding: str) -> _Rows:
    text = io.TextIOWrapper(io.BufferedReader(_Raw(file)), encoding=encoding, newline="")
    reader = csv.reader(text)
    columns = next(reader, [])
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise GiasFileError(
            "This is not a GIAS establishment file: missing column(s) " + ", ".join(missing)
        )
    # A repeated column name counts by its last cell, as csv.DictReader reads it.
    position = {c: i for i, c in enumerate(columns) if c}
    return _Rows(reader, columns, position)


# Writing


def _insert(rows: list[dict[str, Any]], now: Any, key: str) -> dict[str, int]:
    """Write new employers in one go, a prepared INSERT run per row (COPY on PostgreSQL): far
    cheaper than a model instance each. Fields not given take their model default. Returns
    {key: id} for the rows written, `key` being an identifier unique when set (the URN, the
    group UID)."""
    fields = [f for f in Employer._meta.concrete_fields if not f.primary_key]
    prepared_now = connection.ops.adapt_datetimefield_value(now)
    constants = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in ("created_at", "updated_at")
    }
    constants["created_at"] = constants["updated_at"] = prepared_now
    row_of = itemgetter(*(f.attname for f in fields))
    quote = connection.ops.quote_name
    table, pk = quote(Employer._meta.db_table), quote(Employer._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    values = [row_of({**constants, **row}) for row in rows]
    with connection.cursor() as cursor:
        # Every id given from here on is higher: a sequence (or SQLite's AUTOINCREMENT) never
        # gives a lower one, so the new rows are found by a range of the primary key.
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")
        (highest,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            # PostgreSQL runs a prepared INSERT a row at a time; COPY takes them in one go.
            _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", values)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
        cursor.execute(
            f"SELECT {quote(Employer._meta.get_field(key).column)}, {pk} FROM {table} "
            f"WHERE {pk} > %s",
            [highest or 0],
        )
        wanted = {row[key] for row in rows}
        return {value: id_ for value, id_ in cursor.fetchall() if value in wanted}


def _copy(cursor: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Run a COPY ... FROM STDIN of `rows` through the connection's execute wrappers and into
    its query log, as Django runs every other statement, so that what watches them sees it."""

    def copy(sql: str, rows: list[tuple[Any, ...]], many: bool, context: dict[str, Any]) -> None:
        with cursor.cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row(row)

    executor = copy
    for wrapper in reversed(connection.execute_wrappers):
        executor = partial(wrapper, executor)
    start = time.monotonic()
    executor(sql, rows, True, {"connection": connection, "cursor": cursor})
    if connection.queries_logged:
        took = time.monotonic() - start
        connection.queries_log.append({"sql": f"{len(rows)} times: {sql}", "time": f"{took:.3f}"})


def _update(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE employers by id, one prepared statement run per row; each row gives the new
    values of `columns` and then the id."""
    if not rows:
        return
    meta = Employer._meta
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(meta.get_field(c).column)} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


_UPDATED = (*SCHOOL_FIELDS, "association_id", "updated_at", "gias_digest", "gias_synced_at")


@dataclass
class _Pending:
    """A row that is new, or whose digest did not match: written at the end of its batch."""

    line: int
    values: dict[str, Any]
    # The parent the row names: ("trust", uid, name), ("la", code, None) or None.
    parent: tuple[str, str, str | None] | None
    read: tuple[str, ...]  # its cells in READ_COLUMNS, for the digest
    pk: int | None = None  # the stored employer with its URN, if there is one


class _Importer:
    def __init__(self, actor: Any, rows: _Rows) -> None:
        self.actor = actor
        self.rows = rows
        self.report = ImportReport()
        self.now = timezone.now()
        self.authorities = {la.code: la for la in LocalAuthority.objects.all()}
        self.authority_pk = {code: la.pk for code, la in self.authorities.items()}
        self.association_for_la: dict[int, int] = {}
        current = Association.objects.current()
        for association in current.prefetch_related("local_authorities"):
            for la in association.local_authorities.all():
                self.association_for_la.setdefault(la.pk, association.pk)
        # What is stored, as compact tuples by URN: (URN, id, digest), the digest blank unless
        # it holds.
        holding = Case(
            When(updated_at=F("gias_synced_at"), then=F("gias_digest")),
            default=Value(""),
            output_field=CharField(),
        )
        query = Employer.objects.exclude(urn="").values_list("urn", "pk", holding)
        sql, params = query.query.sql_with_params()
        self.stored: dict[str, tuple[str, int, str]] = {}
        with connection.cursor() as cursor:
            # The plain cursor, in blocks: tens of thousands of rows, without a model's
            # conversions or a list of them all; each row's own tuple is kept.
            cursor.execute(sql, params)
            while block := cursor.fetchmany(5000):
                self.stored.update(zip(map(itemgetter(0), block), block, strict=True))
        self.ukprn_owner = dict(Employer.objects.exclude(ukprn="").values_list("ukprn", "urn"))
        self.trusts = dict(
            Employer.objects.exclude(gias_group_uid="").values_list("gias_group_uid", "pk")
        )
        self.la_employers = dict(Employer.objects.exclude(la_code="").values_list("la_code", "pk"))
        self.seen: dict[str, int] = {}
        self.ukprn_lines: dict[str, int] = {}
        self.pending: list[_Pending] = []
        # What the import did, for its one audit event.
        self.created_urns: list[str] = []
        self.changes: dict[str, dict[str, list[Any]]] = {}
        self.parents_created: dict[str, list[str]] = {"trust": [], "la": []}
        self.authorities_created: list[str] = []
        self.trusts_placed: dict[str, str] = {}

    # The rows

    def run(self) -> ImportReport:
        rows = self.rows
        read = itemgetter(*(rows.index(c) for c in READ_COLUMNS))
        i_urn, i_la = rows.index("URN"), rows.index("LA (code)")
        i_trust, i_type = rows.index("Trusts (code)"), rows.index("TypeOfEstablishment (name)")
        i_ukprn = rows.index("UKPRN")
        seen, stored, report, ukprn_lines = self.seen, self.stored, self.report, self.ukprn_lines
        authority_pk, trusts, la_employers = self.authority_pk, self.trusts, self.la_employers
        association_for_la, search = self.association_for_la, UNSAFE_IN_LINE.search
        quick = 0
        for line, cells in rows:
            # The quick way: a known URN whose row, and the places it leads to, are as when
            # the employer was last brought into line with it.
            urn = cells[i_urn]
            known = stored.get(urn)
            if known is not None and known[2] and urn not in seen:
                la_code = cells[i_la].strip()
                la_pk = authority_pk.get(la_code)
                trust = cells[i_trust].strip()
                if trust:
                    parent = trusts.get(trust)
                elif cells[i_type].strip() in LA_MAINTAINED_TYPES:
                    parent = la_employers.get(la_code)
                else:
                    parent = 0
                ukprn = cells[i_ukprn].strip()
                if (
                    la_pk is not None
                    and parent is not None
                    and known[2]
                    == _row_digest(read(cells), la_pk, parent, association_for_la.get(la_pk))
                    and not search("".join(cells))
                    and not (ukprn in ukprn_lines and ukprn.isdigit())
                ):
                    seen[urn] = line
                    if ukprn.isdigit():
                        ukprn_lines[ukprn] = line
                    quick += 1
                    continue
            self._slow(line, cells, read)
            if len(self.pending) >= CHUNK:
                self._flush()
        report.rows = rows.count
        report.unchanged += quick
        self._flush()
        self._place_trusts()
        self._record()
        return report

    def _slow(self, line: int, cells: list[str], read: itemgetter) -> None:
        """Check the row in full and hold it for writing with its batch."""
        problem = self.rows.unstorable(cells)
        if problem is not None:
            self.report.problems.append(RowProblem(line, problem))
            return
        cells_read = read(cells)
        stripped = tuple(map(str.strip, cells_read))
        row = dict(zip(READ_COLUMNS, stripped, strict=True))
        values = self._values(line, row, any(map(gt, map(len, stripped), _LIMITS)))
        if values is None:
            return
        parent = None
        if row["Trusts (code)"]:
            parent = ("trust", row["Trusts (code)"], row["Trusts (name)"])
        elif values["establishment_type"] in LA_MAINTAINED_TYPES:
            parent = ("la", row["LA (code)"], None)
        known = self.stored.get(values["urn"])
        self.pending.append(_Pending(line, values, parent, cells_read, known[1] if known else None))

    def _values(self, line: int, row: dict[str, str], too_long: bool) -> dict | None:
        """What the row gives an employer, or None when it is reported instead; `row` holds
        every column the import reads, stripped, blank when the file lacks it."""
        urn, name = row["URN"], row["EstablishmentName"]
        problem = None
        seen = self.seen
        if not urn.isdigit():
            problem = f"URN {urn!r} is not a number" if urn else "URN is missing"
        elif urn in seen:
            problem = f"URN {urn} appears again (first on line {seen[urn]})"
        elif not name:
            problem = "EstablishmentName is missing"
        elif not row["LA (code)"].isdigit():
            problem = f"LA (code) {row['LA (code)']!r} is not a number"
        elif too_long:
            for column, most in MAX_LENGTHS.items():
                if len(row[column]) > most:
                    problem = f"{column} is longer than {most} characters"
                    break
        postcode = ""
        if problem is None and row["Postcode"]:
            postcode = normalise_postcode(row["Postcode"]) or ""
            if not postcode:
                problem = f"Postcode {row['Postcode']!r} is not a UK postcode"
        ukprn = row["UKPRN"]
        ukprn = ukprn if ukprn.isdigit() else ""
        if problem is None and ukprn:
            if ukprn in self.ukprn_lines:
                problem = f"UKPRN {ukprn} is also on line {self.ukprn_lines[ukprn]}"
            elif self.ukprn_owner.get(ukprn, urn) != urn:
                problem = f"UKPRN {ukprn} belongs to URN {self.ukprn_owner[ukprn]} already"
        if problem is not None:
            self.report.problems.append(RowProblem(line, problem))
            return None
        seen[urn] = line
        if ukprn:
            self.ukprn_lines[ukprn] = line
        la_code = row["LA (code)"]
        la_pk = self.authority_pk.get(la_code)
        if la_pk is None:
            la_pk = self.authority(la_code, row["LA (name)"], row["GOR (name)"]).pk
        type_name = row["TypeOfEstablishment (name)"]
        status = row["EstablishmentStatus (name)"]
        return {
            "urn": urn,
            "name": name,
            "kind": EmployerKind.COLLEGE if type_name in COLLEGE_TYPES else EmployerKind.SCHOOL,
            "establishment_type": type_name,
            "street": row["Street"],
            "town": row["Town"],
            "postcode": postcode,
            "local_authority_id": la_pk,
            "association_id": self.association_for_la.get(la_pk),
            "parent_id": None,
            "is_open": not status.lower().startswith("closed"),
            "status_name": status,
            "ukprn": ukprn,
        }

    def authority(self, code: str, name: str, region_name: str) -> LocalAuthority:
        authority = self.authorities.get(code)
        if authority is None:
            region = None
            if region_name and region_name.lower() not in ("not applicable", "(unknown)"):
                region, _ = Region.objects.get_or_create(name=region_name)
            authority = LocalAuthority.objects.create(code=code, name=name, region=region)
            self.authorities[code] = authority
            self.authority_pk[code] = authority.pk
            self.report.authorities_created += 1
            self.authorities_created.append(code)
        return authority

    # The batch

    def _flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        changed_ids = self._create_parents(batch)
        for item in batch:
            if item.parent is not None:
                kind, key, _ = item.parent
                item.values["parent_id"] = (self.trusts if kind == "trust" else self.la_employers)[
                    key
                ]
            values = item.values
            item.values["gias_digest"] = _row_digest(
                item.read,
                values["local_authority_id"],
                values["parent_id"] or 0,
                values["association_id"],
            )
        new = [item for item in batch if item.pk is None]
        changed_ids += self._create(new)
        changed_ids += self._compare([item for item in batch if item.pk is not None])
        if changed_ids:
            employers_changed.send(sender=Employer, employer_ids=changed_ids)

    def _create_parents(self, batch: list[_Pending]) -> list[int]:
        """The trusts and local authorities' own employer records the batch's rows belong to
        and that do not exist yet; the first row naming a trust gives its name."""
        trusts: dict[str, str] = {}
        authorities: dict[str, LocalAuthority] = {}
        for item in batch:
            if item.parent is None:
                continue
            kind, key, name = item.parent
            if kind == "trust" and key not in self.trusts:
                trusts.setdefault(key, name or "")
            elif kind == "la" and key not in self.la_employers:
                authorities[key] = self.authorities[key]
        rows = [
            {"kind": EmployerKind.ACADEMY_TRUST, "name": name, "gias_group_uid": uid}
            for uid, name in trusts.items()
        ] + [
            {
                "kind": EmployerKind.LOCAL_AUTHORITY,
                "name": la.name,
                "la_code": code,
                "local_authority_id": la.pk,
                "association_id": self.association_for_la.get(la.pk),
            }
            for code, la in authorities.items()
        ]
        ids = []
        if trusts:
            made = _insert(rows[: len(trusts)], self.now, "gias_group_uid")
            self.trusts.update(made)
            ids += made.values()
            self.parents_created["trust"] += trusts
            self.report.trusts_created += len(trusts)
        if authorities:
            made = _insert(rows[len(trusts) :], self.now, "la_code")
            self.la_employers.update(made)
            ids += made.values()
            self.parents_created["la"] += authorities
        return ids

    def _create(self, new: list[_Pending]) -> list[int]:
        if not new:
            return []
        prepared_now = connection.ops.adapt_datetimefield_value(self.now)
        made = _insert(
            [{**item.values, "gias_synced_at": prepared_now} for item in new], self.now, "urn"
        )
        urns = [item.values["urn"] for item in new]
        for item in new:
            self.stored[item.values["urn"]] = (item.values["urn"], made[item.values["urn"]], "")
        self.created_urns += urns
        self.report.created += len(new)
        self.report.closed += sum(1 for item in new if not item.values["is_open"])
        return list(made.values())

    def _compare(self, known: list[_Pending]) -> list[int]:
        """Compare rows whose digest did not match with what is stored; write the ones that
        differ, and only the digest of the ones that do not."""
        if not known:
            return []
        columns = (*SCHOOL_FIELDS, "association_id", "association_overridden")
        stored = {
            pk: dict(zip(columns, rest, strict=True))
            for pk, *rest in Employer.objects.filter(pk__in=[i.pk for i in known]).values_list(
                "pk", *columns
            )
        }
        prepared_now = connection.ops.adapt_datetimefield_value(self.now)
        updates, digests, ids = [], [], []
        for item in known:
            before, after = stored[item.pk], item.values
            fields = SCHOOL_FIELDS
            if not before["association_overridden"] and after["association_id"] is not None:
                # The association follows the local authority's; one set by hand is kept.
                fields = (*SCHOOL_FIELDS, "association_id")
            changes = {
                name: [before[name], after[name]] for name in fields if before[name] != after[name]
            }
            if not changes:
                self.report.unchanged += 1
                digests.append((after["gias_digest"], item.pk))
                continue
            if before["is_open"] and not after["is_open"]:
                self.report.closed += 1
            association = after if "association_id" in fields else before
            updates.append(
                (
                    *(after[name] for name in SCHOOL_FIELDS),
                    association["association_id"],
                    prepared_now,
                    after["gias_digest"],
                    prepared_now,
                    item.pk,
                )
            )
            self.changes[after["urn"]] = dict(sorted(changes.items()))
            ids.append(item.pk)
        _update(_UPDATED, updates)
        # Unchanged but compared in full: the digest holds again from the time it was last
        # changed, so `updated_at` stays as it was.
        if digests:
            meta = Employer._meta
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {quote(meta.db_table)} SET {quote('gias_digest')} = %s, "
                    f"{quote('gias_synced_at')} = {quote('updated_at')} WHERE {quote('id')} = %s",
                    digests,
                )
        self.report.updated += len(updates)
        return ids

    def _place_trusts(self) -> None:
        """Give each trust without an association the association of its schools' local
        authority, or of most of them when they span several: without one, nobody in an area
        may take an enrolment for the trust forward. An association set already is kept."""
        if not self.association_for_la:
            return
        counts: dict[int, Counter[int]] = defaultdict(Counter)
        schools = (
            Employer.objects.filter(
                parent__kind=EmployerKind.ACADEMY_TRUST,
                parent__association__isnull=True,
                local_authority__in=list(self.association_for_la),
            )
            .values_list("parent_id", "local_authority_id")
            .annotate(n=Count("id"))
        )
        for trust_id, authority_id, n in schools:
            counts[trust_id][self.association_for_la[authority_id]] += n
        if not counts:
            return
        names = dict(Association.objects.values_list("pk", "name"))
        placed = []
        trusts = Employer.objects.filter(pk__in=counts).order_by("pk")
        for pk, uid in trusts.values_list("pk", "gias_group_uid"):
            # Most schools wins; a tie goes to the association first by name (then by id), so
            # the same file always gives the same answer.
            association_id = min(counts[pk], key=lambda a: (-counts[pk][a], names[a], a))
            placed.append((association_id, self.now, pk))
            self.trusts_placed[uid or str(pk)] = names[association_id]
        _update(("association_id", "updated_at"), placed)
        employers_changed.send(sender=Employer, employer_ids=[pk for _, _, pk in placed])

    # The audit trail

    def _record(self) -> None:
        """One event for the whole import, when it changed anything: what file, how many rows
        of each kind, the URNs it created and, for each employer it changed, before and after."""
        report = self.report
        if not (
            report.created
            or report.updated
            or self.parents_created["trust"]
            or self.parents_created["la"]
            or self.authorities_created
            or self.trusts_placed
        ):
            return
        summary = f"GIAS import: {report.summary()}"[:300]
        record = GiasImport.objects.create(
            imported_at=self.now, sha256=report.sha256, summary=summary
        )
        changes: dict[str, Any] = {
            "file SHA-256": [None, report.sha256],
            "counts": [
                None,
                {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": report.skipped,
                    "closed": report.closed,
                    "trusts created": report.trusts_created,
                    "local authorities created": report.authorities_created,
                },
            ],
            "created URNs": [None, compact_keys(self.created_urns)],
            # Each employer changed, by URN: {field: [before, after]}.
            "updated URNs": [None, dict(sorted(self.changes.items(), key=_by_number))],
        }
        if self.parents_created["trust"]:
            changes["created trusts (group UID)"] = [
                None,
                compact_keys(self.parents_created["trust"]),
            ]
        if self.parents_created["la"]:
            changes["created local authority employers (LA code)"] = [
                None,
                self.parents_created["la"],
            ]
        if self.authorities_created:
            changes["created local authorities (LA code)"] = [None, self.authorities_created]
        if self.trusts_placed:
            changes["trusts placed in an association"] = [None, self.trusts_placed]
        audit.record(
            [
                audit.Event(
                    action="employers.gias_import",
                    summary=summary,
                    target=record,
                    context=audit.context_of(record),
                    actor=self.actor,
                    changes=changes,
                )
            ]
        )


def _by_number(item: tuple[str, Any]) -> tuple[int, str]:
    return (int(item[0]) if item[0].isdigit() else -1, item[0])


def compact_keys(keys: list[str]) -> list[str]:
    """Keys in order, a run of consecutive numbers written as one range ('100001-100004'), so
    that a first import's fifty thousand URNs take a few lines of the audit trail."""
    numbers = sorted(int(k) for k in keys if k.isdigit() and str(int(k)) == k)
    others = sorted(k for k in keys if not (k.isdigit() and str(int(k)) == k))
    runs: list[str] = []
    start = previous = None
    for number in [*numbers, None]:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            runs.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    return runs + others


def _row_digest(cells_read: tuple[str, ...], la_pk: int, parent_pk: int, association: Any) -> str:
    """What the quick path compares: the cells the import reads, and the places they led to."""
    text = "\x1f".join(cells_read) + f"\x1e{la_pk}\x1e{parent_pk}\x1e{association}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def import_gias(file: IO[bytes] | bytes, *, actor: Any = None) -> ImportReport:
    """Import a GIAS CSV, read as a stream; raises GiasFileError if it is not one. All or
    nothing: the rows it could not take are skipped and reported by line."""
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    sha256, encoding = inspect_file(file)
    rows = read_rows(file, encoding)
    with transaction.atomic():
        importer = _Importer(actor, rows)
        importer.report.sha256 = sha256
        return importer.run()
