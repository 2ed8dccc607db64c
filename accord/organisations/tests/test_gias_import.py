"""Importing employers from a GIAS establishment CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.core.models import AuditEvent
from accord.organisations.gias import GiasFileError, import_gias, normalise_postcode
from accord.organisations.models import Association, Employer, EmployerKind, LocalAuthority
from tests.world import PASSWORD, World

# How employer rows are written: a prepared INSERT, or COPY on PostgreSQL.
WRITES_EMPLOYERS = ('INSERT INTO "organisations_employer"', 'COPY "organisations_employer"')
COLUMNS = [
    "GOR (name)",
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
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


def row(urn: str, name: str, **values: str) -> dict[str, str]:
    base = {
        "GOR (name)": "West Midlands",
        "URN": urn,
        "LA (code)": "330",
        "LA (name)": "Birmingham",
        "EstablishmentNumber": "2001",
        "EstablishmentName": name,
        "TypeOfEstablishment (name)": "Academy converter",
        "EstablishmentStatus (name)": "Open",
        "Trusts (code)": "",
        "Trusts (name)": "",
        "UKPRN": "",
        "Street": "High Street",
        "Town": "Birmingham",
        "Postcode": "b1 1aa",
    }
    return {**base, **values}


def gias_csv(rows: list[dict[str, str]], encoding: str = "cp1252") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


SAMPLE = [
    row(
        "137001",
        "St Mary’s Catholic Academy",
        **{
            "Trusts (code)": "2044",
            "Trusts (name)": "Holy Family Catholic Multi-Academy Company",
            "UKPRN": "10034567",
        },
    ),
    row(
        "137002",
        "Aston Manor Academy",
        **{
            "Trusts (code)": "2044",
            "Trusts (name)": "Holy Family Catholic Multi-Academy Company",
            "Postcode": "B6  4PZ",
        },
    ),
    row(
        "103001",
        "Anderton Park Primary School",
        **{"TypeOfEstablishment (name)": "Community school", "Postcode": "b12 8bl"},
    ),
    row(
        "103002",
        "Old Oak Primary School",
        **{
            "EstablishmentStatus (name)": "Closed",
            "TypeOfEstablishment (name)": "Community school",
        },
    ),
    row("", "No URN School"),
    row("13700X", "Bad URN School"),
    row("137002", "Aston Manor Academy (again)"),
    row("137003", "Nowhere School", Postcode="NOT A POSTCODE"),
    row(
        "130001",
        "Birmingham Metropolitan College",
        **{"TypeOfEstablishment (name)": "Further education"},
    ),
]


def test_a_gias_file_imports_with_trusts_authorities_and_closures(db: None) -> None:
    report = import_gias(gias_csv(SAMPLE))
    assert report.rows == 9
    assert report.created == 5
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "URN is missing"),
        (7, "URN '13700X' is not a number"),
        (8, "URN 137002 appears again (first on line 3)"),
        (9, "Postcode 'NOT A POSTCODE' is not a UK postcode"),
    ]
    st_marys = Employer.objects.get(urn="137001")
    assert st_marys.name == "St Mary’s Catholic Academy"  # read as Windows-1252
    assert st_marys.ukprn == "10034567"
    assert st_marys.postcode == "B1 1AA"
    trust = st_marys.parent
    assert trust.kind == EmployerKind.ACADEMY_TRUST and trust.gias_group_uid == "2044"
    assert Employer.objects.get(urn="137002").parent == trust
    assert Employer.objects.get(urn="137002").postcode == "B6 4PZ"
    assert not st_marys.is_employer_in_own_right
    anderton = Employer.objects.get(urn="103001")
    assert anderton.parent.kind == EmployerKind.LOCAL_AUTHORITY
    assert anderton.parent.la_code == "330"
    assert anderton.local_authority == LocalAuthority.objects.get(code="330")
    assert not Employer.objects.get(urn="103002").is_open
    assert report.closed == 1
    assert Employer.objects.get(urn="130001").kind == EmployerKind.COLLEGE
    assert report.trusts_created == 1 and report.authorities_created == 1
    assert anderton.local_authority.region.name == "West Midlands"


def test_schools_join_the_association_covering_their_authority(world: World) -> None:
    rows = [row("300001", "Northtown Primary", **{"LA (code)": "901"})]
    import_gias(gias_csv(rows))
    assert Employer.objects.get(urn="300001").association == world.association
    # An employer imported before its authority was covered gets its association on re-import.
    import_gias(gias_csv([row("300002", "Lately Covered School", **{"LA (code)": "950"})]))
    later = Association.objects.create(name="Lateshire", region=world.association.region)
    later.local_authorities.add(LocalAuthority.objects.get(code="950"))
    report = import_gias(gias_csv([row("300002", "Lately Covered School", **{"LA (code)": "950"})]))
    assert report.updated == 1
    assert Employer.objects.get(urn="300002").association == later


def test_utf8_files_with_a_byte_order_mark_import_too(db: None) -> None:
    raw = b"\xef\xbb\xbf" + gias_csv(SAMPLE[:1], encoding="utf-8")
    import_gias(raw)
    assert Employer.objects.get(urn="137001").name == "St Mary’s Catholic Academy"


def test_a_reimport_of_the_same_file_changes_nothing(db: None) -> None:
    import_gias(gias_csv(SAMPLE))
    employers = list(Employer.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    report = import_gias(gias_csv(SAMPLE))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert list(Employer.objects.order_by("pk").values()) == employers
    assert AuditEvent.objects.count() == events


def test_a_reimport_updates_in_place_keyed_on_the_urn(db: None) -> None:
    import_gias(gias_csv(SAMPLE))
    pk = Employer.objects.get(urn="103001").pk
    changed = [
        row(
            "103001",
            "Anderton Park School",
            **{
                "TypeOfEstablishment (name)": "Community school",
                "EstablishmentStatus (name)": "Closed",
                "Postcode": "b12 8bl",
            },
        )
    ]
    report = import_gias(gias_csv(changed))
    assert (report.updated, report.closed) == (1, 1)
    employer = Employer.objects.get(urn="103001")
    assert employer.pk == pk and employer.name == "Anderton Park School" and not employer.is_open
    # The import is one audited act: its one event names the employer changed, before and after.
    event = AuditEvent.objects.filter(action="employers.gias_import").latest("id")
    assert event.changes["updated URNs"][1] == {
        "103001": {
            "is_open": [True, False],
            "name": ["Anderton Park Primary School", "Anderton Park School"],
            "status_name": ["Open", "Closed"],
        }
    }


def test_an_over_long_cell_is_reported_not_imported(db: None) -> None:
    report = import_gias(gias_csv([row("1", "A" * 201)]))
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "EstablishmentName is longer than 200 characters")
    ]


def test_a_ukprn_shared_by_two_rows_is_reported_not_imported(db: None) -> None:
    rows = [row("1", "A", UKPRN="100"), row("2", "B", UKPRN="100")]
    report = import_gias(gias_csv(rows))
    assert [(p.line, p.reason) for p in report.problems] == [(3, "UKPRN 100 is also on line 2")]


def fail_on_writing(name: str):  # type: ignore[no-untyped-def]
    """A database wrapper that fails the statement writing the employer called `name`."""

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        values = [v for p in params or () for v in (p if isinstance(p, list | tuple) else [p])]
        if sql.startswith(WRITES_EMPLOYERS) and name in values:
            raise DatabaseError("disk full")
        return execute(sql, params, many, context)

    return wrapper


def test_a_failure_part_way_leaves_nothing_behind(db: None) -> None:
    """The database fails while writing the schools, after the trust and authority exist."""
    failing = fail_on_writing("Aston Manor Academy")
    with connection.execute_wrapper(failing), pytest.raises(DatabaseError):
        import_gias(gias_csv(SAMPLE))
    assert Employer.objects.count() == 0
    assert LocalAuthority.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_file_that_is_not_a_gias_file_is_refused_whole(db: None) -> None:
    with pytest.raises(GiasFileError, match="missing column"):
        import_gias(b"name,address\nA school,Somewhere\n")


def test_the_command_reports_each_skipped_row(db: None, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(gias_csv(SAMPLE))
    call_command("import_gias", str(path))
    captured = capsys.readouterr()
    assert "line 6: skipped: URN is missing" in captured.err
    assert "9 rows: 5 created" in captured.out
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_gias", str(tmp_path / "missing.csv"))


def test_national_officers_import_through_the_upload_page(world: World) -> None:
    client = Client()
    client.login(username="officer@example.org", password=PASSWORD)
    upload = SimpleUploadedFile("edubasealldata.csv", gias_csv(SAMPLE), "text/csv")
    response = client.post(reverse("employers-import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].created == 5
    assert "URN is missing" in response.content.decode()
    bad = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    response = client.post(reverse("employers-import"), {"file": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Choose a .csv file."]
    client.login(username="secretary@example.org", password=PASSWORD)
    assert client.get(reverse("employers-import")).status_code == 403


@given(st.text(max_size=12))
@settings(max_examples=300)
def test_postcode_normalisation_never_fails_and_is_idempotent(value: str) -> None:
    result = normalise_postcode(value)
    if result is not None:
        assert normalise_postcode(result) == result
        assert result == result.upper() and result.count(" ") == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" m1  2ab ", "M1 2AB"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("B33 8TH", "B33 8TH"),
        ("12345", None),
        ("", None),
    ],
)
def test_postcodes_are_normalised(raw: str, expected: str | None) -> None:
    assert normalise_postcode(raw) == expected


cells = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15),
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.text(alphabet="abc ", min_size=190, max_size=260),
)


@given(st.lists(st.fixed_dictionaries({c: cells for c in COLUMNS}), max_size=6))
@settings(max_examples=60, deadline=None)
@pytest.mark.django_db
def test_any_rows_either_import_or_are_reported_by_line(rows: list[dict[str, str]]) -> None:
    """Whatever the cells hold, the import never fails: every row is imported or reported."""
    with transaction.atomic():
        report = import_gias(gias_csv(rows, encoding="utf-8"))
        imported = report.created + report.updated + report.unchanged
        assert imported + report.skipped == report.rows == len(rows)
        assert all(p.line >= 2 and p.reason for p in report.problems)
        transaction.set_rollback(True)
