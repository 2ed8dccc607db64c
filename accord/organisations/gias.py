"""Import employers from the DfE "Get Information About Schools" establishment CSV.

Keyed on the URN (schools) and the group UID (trusts) and the LA code (local authorities), so a
re-import updates in place and never duplicates. Bad or duplicate rows are skipped and reported
by line; the whole import is one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Count

from accord.core import audit
from accord.core.text import refusal

from .models import Association, Employer, EmployerKind, LocalAuthority, Region

REQUIRED_COLUMNS = ("URN", "EstablishmentName", "LA (code)", "LA (name)")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
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
    compact = re.sub(r"\s+", "", value or "").upper()
    match = POSTCODE_RE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def decode(raw: bytes) -> str:
    """GIAS files come in Windows-1252; others arrive as UTF-8 (with or without a BOM)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def read_rows(text: str) -> tuple[list[str], Iterable[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise GiasFileError(
            "This is not a GIAS establishment file: missing column(s) " + ", ".join(missing)
        )

    def rows() -> Iterable[tuple[int, dict[str, str]]]:
        for row in reader:
            # line_num is the physical line the row ends on, which is what a spreadsheet shows.
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}

    return columns, rows()


def unstorable(row: dict[str, str]) -> str | None:
    """Why the row cannot be stored as it is: a cell holding control characters."""
    for column, value in row.items():
        refused = refusal(column, value, multiline=False)
        if refused:
            return refused
    return None


def _kind(type_name: str) -> str:
    if type_name in COLLEGE_TYPES:
        return EmployerKind.COLLEGE
    return EmployerKind.SCHOOL


class _Importer:
    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.report = ImportReport()
        self.authorities = {la.code: la for la in LocalAuthority.objects.all()}
        self.association_for_la: dict[int, int] = {}
        current = Association.objects.current()
        for association in current.prefetch_related("local_authorities"):
            for la in association.local_authorities.all():
                self.association_for_la.setdefault(la.pk, association.pk)
        self.by_urn = {e.urn: e for e in Employer.objects.exclude(urn="")}
        self.ukprn_owner = dict(Employer.objects.exclude(ukprn="").values_list("ukprn", "urn"))
        self.trusts = {e.gias_group_uid: e for e in Employer.objects.exclude(gias_group_uid="")}
        self.la_employers = {e.la_code: e for e in Employer.objects.exclude(la_code="")}
        self.events: list[audit.Event] = []

    def authority(self, code: str, name: str, region_name: str) -> LocalAuthority:
        authority = self.authorities.get(code)
        if authority is None:
            region = None
            if region_name and region_name.lower() not in ("not applicable", "(unknown)"):
                region, _ = Region.objects.get_or_create(name=region_name)
            authority = LocalAuthority.objects.create(code=code, name=name, region=region)
            self.authorities[code] = authority
            self.report.authorities_created += 1
        return authority

    def _create_parent(self, registry: dict[str, Employer], key: str, **values: Any) -> Employer:
        employer = Employer.objects.create(**values)
        registry[key] = employer
        self.events.append(self._event("created", employer, values))
        return employer

    def trust(self, uid: str, name: str, authority: LocalAuthority) -> Employer:
        trust = self.trusts.get(uid)
        if trust is None:
            trust = self._create_parent(
                self.trusts,
                uid,
                kind=EmployerKind.ACADEMY_TRUST,
                name=name,
                gias_group_uid=uid,
            )
            self.report.trusts_created += 1
        return trust

    def la_employer(self, authority: LocalAuthority) -> Employer:
        employer = self.la_employers.get(authority.code)
        if employer is None:
            employer = self._create_parent(
                self.la_employers,
                authority.code,
                kind=EmployerKind.LOCAL_AUTHORITY,
                name=authority.name,
                la_code=authority.code,
                local_authority=authority,
                association_id=self.association_for_la.get(authority.pk),
            )
        return employer

    def _event(self, verb: str, employer: Employer, changes: dict[str, Any]) -> audit.Event:
        return audit.Event(
            action=f"employer.{verb}",
            summary=f"GIAS import {verb} {employer.name}",
            target=employer,
            context=f"employer:{employer.pk}",
            actor=self.actor,
            changes=audit.jsonable_changes(changes),
        )

    def run(self, rows: Iterable[tuple[int, dict[str, str]]]) -> ImportReport:
        seen: dict[str, int] = {}
        self.ukprn_lines: dict[str, int] = {}
        to_create: list[Employer] = []
        to_update: list[tuple[Employer, dict[str, Any]]] = []
        for line, row in rows:
            self.report.rows += 1
            values = self._values(line, row, seen)
            if values is None:
                continue
            existing = self.by_urn.get(values["urn"])
            if existing is None:
                to_create.append(Employer(**values))
                continue
            fields = SCHOOL_FIELDS
            if not existing.association_overridden and values["association_id"] is not None:
                # The association follows the local authority's; one set by hand is kept.
                fields = (*SCHOOL_FIELDS, "association_id")
            before = {name: getattr(existing, name) for name in fields}
            after = {name: values[name] for name in fields}
            changes = audit.diff(before, after)
            if not changes:
                self.report.unchanged += 1
                continue
            if before["is_open"] and not after["is_open"]:
                self.report.closed += 1
            for name, value in after.items():
                setattr(existing, name, value)
            to_update.append((existing, changes))
        self._write(to_create, to_update)
        self._place_trusts()
        audit.record(self.events)
        return self.report

    def _place_trusts(self) -> None:
        """Give each trust without an association the association of its schools' local
        authority, or of most of them when they span several: without one, nobody in an area
        may take an enrolment for the trust forward. An association set already is kept."""
        counts: dict[int, Counter[int]] = defaultdict(Counter)
        schools = (
            Employer.objects.filter(
                parent__kind=EmployerKind.ACADEMY_TRUST,
                parent__association__isnull=True,
                local_authority__isnull=False,
            )
            .values_list("parent_id", "local_authority_id")
            .annotate(n=Count("id"))
        )
        for trust_id, authority_id, n in schools:
            association_id = self.association_for_la.get(authority_id)
            if association_id is not None:
                counts[trust_id][association_id] += n
        if not counts:
            return
        names = dict(Association.objects.values_list("pk", "name"))
        placed = []
        for trust in Employer.objects.filter(pk__in=counts).order_by("pk"):
            # Most schools wins; a tie goes to the association first by name (then by id), so
            # the same file always gives the same answer.
            association_id = min(
                counts[trust.pk], key=lambda pk: (-counts[trust.pk][pk], names[pk], pk)
            )
            trust.association_id = association_id
            placed.append(trust)
            self.events.append(
                self._event("updated", trust, {"association_id": [None, association_id]})
            )
        Employer.objects.bulk_update(placed, ["association"], batch_size=CHUNK)

    def _values(self, line: int, row: dict[str, str], seen: dict[str, int]) -> dict | None:
        urn, name = row.get("URN", ""), row.get("EstablishmentName", "")
        problem = unstorable(row)
        if problem is not None:
            self.report.problems.append(RowProblem(line, problem))
            return None
        if not urn.isdigit():
            problem = f"URN {urn!r} is not a number" if urn else "URN is missing"
        elif urn in seen:
            problem = f"URN {urn} appears again (first on line {seen[urn]})"
        elif not name:
            problem = "EstablishmentName is missing"
        elif not row.get("LA (code)", "").isdigit():
            problem = f"LA (code) {row.get('LA (code)', '')!r} is not a number"
        else:
            too_long = [c for c, n in MAX_LENGTHS.items() if len(row.get(c, "")) > n]
            if too_long:
                column = too_long[0]
                problem = f"{column} is longer than {MAX_LENGTHS[column]} characters"
        postcode = ""
        if problem is None and row.get("Postcode"):
            postcode = normalise_postcode(row["Postcode"]) or ""
            if not postcode:
                problem = f"Postcode {row['Postcode']!r} is not a UK postcode"
        ukprn = row.get("UKPRN", "")
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
        authority = self.authority(
            row["LA (code)"], row.get("LA (name)", ""), row.get("GOR (name)", "")
        )
        type_name = row.get("TypeOfEstablishment (name)", "")
        parent = None
        if row.get("Trusts (code)"):
            parent = self.trust(row["Trusts (code)"], row.get("Trusts (name)", ""), authority)
        elif type_name in LA_MAINTAINED_TYPES:
            parent = self.la_employer(authority)
        status = row.get("EstablishmentStatus (name)", "")
        return {
            "urn": urn,
            "name": name,
            "kind": _kind(type_name),
            "establishment_type": type_name,
            "street": row.get("Street", ""),
            "town": row.get("Town", ""),
            "postcode": postcode,
            "local_authority_id": authority.pk,
            "association_id": self.association_for_la.get(authority.pk),
            "parent_id": parent.pk if parent else None,
            "is_open": not status.lower().startswith("closed"),
            "status_name": status,
            "ukprn": ukprn,
        }

    def _write(
        self, to_create: list[Employer], to_update: list[tuple[Employer, dict[str, Any]]]
    ) -> None:
        created = Employer.objects.bulk_create(to_create, batch_size=CHUNK)
        if created and created[0].pk is None:  # backends that do not return keys
            urns = {e.urn for e in to_create}
            created = list(Employer.objects.filter(urn__in=urns))
        self.report.created = len(created)
        for employer in created:
            self.events.append(
                self._event(
                    "created", employer, {n: [None, getattr(employer, n)] for n in SCHOOL_FIELDS}
                )
            )
        Employer.objects.bulk_update(
            [e for e, _ in to_update],
            [f.removesuffix("_id") for f in (*SCHOOL_FIELDS, "association_id")],
            batch_size=CHUNK,
        )
        self.report.updated = len(to_update)
        self.report.closed += sum(1 for e in created if not e.is_open)
        for employer, changes in to_update:
            self.events.append(self._event("updated", employer, changes))


def import_gias(file: IO[bytes] | bytes, *, actor: Any = None) -> ImportReport:
    """Import a GIAS CSV; raises GiasFileError if it is not one. All or nothing."""
    raw = file if isinstance(file, bytes) else file.read()
    try:
        text = decode(raw)
    except UnicodeDecodeError as exc:
        raise GiasFileError("The file is neither UTF-8 nor Windows-1252 text.") from exc
    _, rows = read_rows(text)
    with transaction.atomic():
        return _Importer(actor).run(rows)
