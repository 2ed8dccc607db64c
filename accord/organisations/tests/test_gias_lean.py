"""A GIAS import at national scale: read as a stream, written in batches, compared by a digest
per row so that an unchanged file writes nothing, and recorded as one audited act."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accord.core import audit
from accord.core.models import AuditEvent
from accord.core.signals import employers_changed
from accord.organisations import gias, services
from accord.organisations.gias import compact_keys, import_gias
from accord.organisations.models import Employer, GiasImport
from accord.organisations.tests.test_gias_import import (
    WRITES_EMPLOYERS,
    fail_on_writing,
    gias_csv,
    row,
)
from tests.world import World

NORTHTOWN = {"LA (code)": "901", "LA (name)": "Northtown", "GOR (name)": "North"}


def _rows() -> list[dict[str, str]]:
    """Schools of every sort the import handles: in a trust, maintained by the local
    authority, a college, a closed one, one with a UKPRN."""
    trust = {"Trusts (code)": "7001", "Trusts (name)": "Northern Light Trust"}
    return [
        row("400001", "Light Academy", **NORTHTOWN, **trust, UKPRN="10070001"),
        row("400002", "Beacon Academy", **NORTHTOWN, **trust),
        row(
            "400003",
            "Mill Lane Primary",
            **NORTHTOWN,
            **{"TypeOfEstablishment (name)": "Community school"},
        ),
        row("400004", "Northtown College", **{"TypeOfEstablishment (name)": "Further education"}),
        row("400005", "Old Quarry School", **{"EstablishmentStatus (name)": "Closed"}),
    ]


def _stamps() -> dict[int, Any]:
    return dict(Employer.objects.values_list("pk", "updated_at"))


def _writes(queries: CaptureQueriesContext) -> list[str]:
    """The statements that write; a statement run for many rows is logged as 'N times: ...'."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if re.sub(r"^\d+ times: ", "", q["sql"].lstrip())
        .upper()
        .startswith(("INSERT", "UPDATE", "DELETE", "REPLACE", "COPY"))
    ]


@contextmanager
def _signalled() -> Iterator[list[set[int]]]:
    """The employer ids each employers_changed signal carried while inside."""
    sent: list[set[int]] = []

    def listener(sender: Any, employer_ids: Any, **kwargs: Any) -> None:
        sent.append(set(employer_ids))

    employers_changed.connect(listener)
    try:
        yield sent
    finally:
        employers_changed.disconnect(listener)


def test_a_reimport_of_an_unchanged_file_writes_nothing_at_all(world: World) -> None:
    data = gias_csv(_rows())
    first = import_gias(data, actor=world.users["officer"])
    assert (first.created, first.trusts_created) == (5, 1)
    events = AuditEvent.objects.count()
    last_hash = AuditEvent.objects.latest("id").hash
    stamps = _stamps()
    with CaptureQueriesContext(connection) as queries, _signalled() as sent:
        again = import_gias(data, actor=world.users["officer"])
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 5, 0)
    assert _writes(queries) == []
    assert sent == []
    assert AuditEvent.objects.count() == events
    assert AuditEvent.objects.latest("id").hash == last_hash
    assert _stamps() == stamps
    assert GiasImport.objects.count() == 1


def test_an_import_is_one_audited_event_naming_what_it_created(world: World) -> None:
    data = gias_csv(_rows())
    before = AuditEvent.objects.count()
    with _signalled() as sent:
        import_gias(data, actor=world.users["officer"])
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "employers.gias_import"
    assert event.actor == world.users["officer"]
    assert event.target_type == "organisations.giasimport"
    assert event.changes["file SHA-256"] == [None, hashlib.sha256(data).hexdigest()]
    assert event.changes["created URNs"] == [None, ["400001-400005"]]
    assert event.changes["updated URNs"] == [None, {}]
    assert event.changes["created trusts (group UID)"] == [None, ["7001"]]
    # The LA-maintained school's local authority gets an employer record of its own.
    assert event.changes["created local authority employers (LA code)"] == [None, ["901"]]
    assert event.changes["counts"][1]["created"] == 5
    assert event.changes["counts"][1]["closed"] == 1
    # The trust joins the association covering its schools' local authority.
    assert event.changes["trusts placed in an association"] == [None, {"7001": "Northtown"}]
    # Listeners heard of every employer made: five schools, the trust, the local authority.
    made = set(Employer.objects.filter(urn__startswith="4000").values_list("pk", flat=True))
    made |= {Employer.objects.get(gias_group_uid="7001").pk}
    made |= {Employer.objects.get(la_code="901").pk}
    assert set().union(*sent) == made
    assert list(audit.verify_chain()) == []


def test_a_changed_row_updates_only_its_employer_and_the_event_lists_it(world: World) -> None:
    import_gias(gias_csv(_rows()), actor=world.users["officer"])
    stamps = _stamps()
    events = AuditEvent.objects.count()
    changed = _rows()
    changed[1]["EstablishmentName"] = "Beacon Academy Northtown"
    changed[1]["EstablishmentStatus (name)"] = "Closed"
    with _signalled() as sent:
        report = import_gias(gias_csv(changed), actor=world.users["officer"])
    assert (report.created, report.updated, report.unchanged, report.closed) == (0, 1, 4, 1)
    beacon = Employer.objects.get(urn="400002")
    assert beacon.name == "Beacon Academy Northtown" and not beacon.is_open
    now = _stamps()
    assert now[beacon.pk] != stamps[beacon.pk]
    assert {pk: at for pk, at in now.items() if pk != beacon.pk} == {
        pk: at for pk, at in stamps.items() if pk != beacon.pk
    }
    assert sent == [{beacon.pk}]
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes["created URNs"] == [None, []]
    assert event.changes["updated URNs"] == [
        None,
        {
            "400002": {
                "is_open": [True, False],
                "name": ["Beacon Academy", "Beacon Academy Northtown"],
                "status_name": ["Open", "Closed"],
            }
        },
    ]
    assert list(audit.verify_chain()) == []


def test_a_change_made_by_hand_is_compared_in_full_and_brought_back_in_line(
    world: World,
) -> None:
    """The digest stands for the row only while the employer is as the import left it."""
    data = gias_csv(_rows())
    import_gias(data)
    school = Employer.objects.get(urn="400004")
    services.edit_employer(
        school,
        actor=world.users["officer"],
        data={"name": "Northtown FE College", "kind": school.kind},
    )
    report = import_gias(data)
    assert (report.updated, report.unchanged) == (1, 4)
    assert Employer.objects.get(urn="400004").name == "Northtown College"
    event = AuditEvent.objects.filter(action="employers.gias_import").latest("id")
    assert event.changes["updated URNs"][1] == {
        "400004": {"name": ["Northtown FE College", "Northtown College"]}
    }


def test_a_row_compared_in_full_and_found_the_same_moves_no_timestamp(db: None) -> None:
    """An employer made before digests were kept is compared field by field once; only its
    digest is written, and the next import takes the quick way."""
    data = gias_csv(_rows()[3:])
    import_gias(data)
    Employer.objects.filter(urn="400004").update(gias_digest="")
    stamps = _stamps()
    events = AuditEvent.objects.count()
    report = import_gias(data)
    assert (report.updated, report.unchanged) == (0, 2)
    assert _stamps() == stamps
    assert AuditEvent.objects.count() == events
    with CaptureQueriesContext(connection) as queries:
        import_gias(data)
    assert _writes(queries) == []


def test_a_bad_line_saves_nothing_of_its_own_and_is_named_by_line_and_field(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gias, "CHUNK", 2)
    rows = [row(str(500001 + n), f"School {n}") for n in range(7)]
    rows[4]["Town"] = "T" * 101  # on line 6: the header is line 1
    report = import_gias(gias_csv(rows))
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "Town is longer than 100 characters")
    ]
    assert report.created == 6
    assert not Employer.objects.filter(urn="500005").exists()
    assert Employer.objects.filter(urn__startswith="5000").count() == 6


def test_a_failure_in_a_later_batch_undoes_the_earlier_ones(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gias, "CHUNK", 2)
    rows = [row(str(500001 + n), f"School {n}") for n in range(7)]
    with connection.execute_wrapper(fail_on_writing("School 6")), pytest.raises(DatabaseError):
        import_gias(gias_csv(rows))
    assert Employer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


class _Tracked(io.BytesIO):
    """A file that can say how far it has been read."""


def test_the_file_is_read_as_a_stream_not_whole(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first batch is written while most of the file is still unread."""
    monkeypatch.setattr(gias, "CHUNK", 10)
    data = gias_csv([row(str(600001 + n), f"School {n}") for n in range(600)])
    file = _Tracked(data)
    read_when_first_written: list[int] = []

    def note_position(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.startswith(WRITES_EMPLOYERS):
            read_when_first_written.append(file.tell())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_position):
        report = import_gias(file)
    assert report.created == 600
    assert read_when_first_written[0] < len(data) // 4


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["100003", "100001", "100002", "100005"], ["100001-100003", "100005"]),
        (["7", "0070", "9", "8", "12"], ["7-9", "12", "0070"]),
        ([], []),
    ],
)
def test_keys_are_listed_compactly(keys: list[str], expected: list[str]) -> None:
    assert compact_keys(keys) == expected
