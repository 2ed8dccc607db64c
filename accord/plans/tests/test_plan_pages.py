"""Plan pages: import with a preview, per-party editing, filters, exports."""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from openpyxl import Workbook, load_workbook

from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import Action
from accord.core.models import AuditEvent
from accord.notifications.models import CalendarFeed
from accord.plans import services
from accord.plans.models import Plan, PlanImport
from tests.world import PASSWORD, World

SEED = Path(__file__).resolve().parents[1] / "data" / "government-skills-2008.txt"


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


@pytest.fixture
def plan(world: World) -> Plan:
    plan = services.create_plan(
        SEED.read_text(),
        actor=world.users["officer"],
        source_name=SEED.name,
        corrections=[services.Correction(31, "Action Number", "2")],
    )
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    RoleAssignment.objects.create(user=world.users["secretary"], role=Role.PLAN_OWNER, plan=plan)
    return plan


def test_the_seed_is_imported_through_the_preview_after_fixing_the_zero(world: World) -> None:
    officer = _client("officer")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), "text/plain")
    response = officer.post(reverse("plan-import-upload"), {"file": upload})
    pending = PlanImport.objects.get()
    assert response["Location"] == pending.get_absolute_url()
    preview = officer.get(pending.get_absolute_url())
    [(problem, value)] = preview.context["fixes"]
    assert (problem.line, problem.column, value) == (31, "Action Number", "0")
    assert "it is probably 2" in preview.content.decode()
    assert officer.post(pending.get_absolute_url(), {"confirm": "1"}).status_code == 400
    assert not Plan.objects.exists()
    checked = officer.post(pending.get_absolute_url(), {"fix:31:Action Number": "2"})
    assert checked.context["fixes"] == []
    done = officer.post(pending.get_absolute_url(), {"confirm": "1"})
    plan = Plan.objects.get()
    assert done["Location"] == plan.get_absolute_url()
    assert sorted(plan.actions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert _client("secretary").get(reverse("plan-import-upload")).status_code == 403


def test_a_csv_workplan_reports_problems_by_row_and_column(world: World) -> None:
    rows = (
        "Action Number,Action Detail,Action Owner,Action By date\n"
        "1,Agree the plan,Council,31/07/2025\n"
        "1,Again,Council,End July 2025\n"
        "3,Stranger,Somebody,31/02/2025\n"
    )
    officer = _client("officer")
    officer.post(
        reverse("plan-import-upload"),
        {
            "file": SimpleUploadedFile("workplan.csv", rows.encode(), "text/csv"),
            "title": "Council plan",
        },
    )
    preview = officer.get(PlanImport.objects.get().get_absolute_url())
    assert [(p.line, p.column) for p, _ in preview.context["fixes"]] == [
        (3, "Action Number"),
        (4, "Action By date"),
    ]
    # Somebody is taken as a party, since the table names the parties through its owners.
    missing = officer.post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("workplan.csv", rows.encode(), "text/csv")},
    )
    assert missing.status_code == 400 and "title" in missing.context["form"].errors


def test_an_xlsx_workplan_imports(world: World) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Action Owner", "Action Number", "Action Detail", "Action By date"])
    sheet.append(["Council", 1, "Agree the plan", datetime.datetime(2025, 7, 31)])
    sheet.append(["Unions", 2, "Consult members", "End August 2025"])
    buffer = io.BytesIO()
    book.save(buffer)
    officer = _client("officer")
    officer.post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("workplan.xlsx", buffer.getvalue()), "title": "Council plan"},
    )
    pending = PlanImport.objects.get()
    assert officer.get(pending.get_absolute_url()).context["fixes"] == []
    officer.post(pending.get_absolute_url(), {"confirm": "1"})
    plan = Plan.objects.get()
    assert [(a.number, a.owner, a.due_on) for a in plan.actions.order_by("number")] == [
        (1, "Council", datetime.date(2025, 7, 31)),
        (2, "Unions", datetime.date(2025, 8, 31)),
    ]


def test_a_plan_member_updates_only_their_partys_actions(world: World, plan: Plan) -> None:
    member = _client("unison")
    tu_action = plan.actions.get(number=2)
    gs_action = plan.actions.get(number=1)
    done = member.post(tu_action.get_absolute_url(), {"text": "Map drafted", "status": "done"})
    assert done.status_code == 302
    tu_action.refresh_from_db()
    assert tu_action.status == "done"
    assert member.post(gs_action.get_absolute_url(), {"text": "x"}).status_code == 403
    assert member.get(gs_action.get_absolute_url()).status_code == 200
    assert member.get(reverse("plan-action-edit", args=[gs_action.pk])).status_code == 403
    assert _client("other_secretary").get(plan.get_absolute_url()).status_code == 403


def test_an_owner_assigns_an_action_and_fixes_its_date(world: World, plan: Plan) -> None:
    owner = _client("secretary")
    action = plan.actions.get(number=1)
    tu = plan.parties.get(name="Trade Union side")
    url = reverse("plan-action-edit", args=[action.pk])
    clash = owner.post(
        url,
        {
            "number": 2,
            "detail": action.detail,
            "owner_party": tu.pk,
            "due_wording": "End October 2008",
        },
    )
    assert clash.status_code == 400
    assert "already exists" in clash.context["form"].errors["number"][0]
    bad_date = owner.post(
        url, {"number": 1, "detail": action.detail, "owner_party": tu.pk, "due_wording": "sometime"}
    )
    assert "cannot be read as a date" in bad_date.context["form"].errors["due_wording"][0]
    assert (
        owner.post(
            url,
            {
                "number": 1,
                "detail": action.detail,
                "owner_party": tu.pk,
                "due_wording": "Mid November 2008",
            },
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert (action.owner, action.due_on) == ("Trade Union side", datetime.date(2008, 11, 15))
    # Now the union-side member may update it.
    assert _client("unison").post(action.get_absolute_url(), {"text": "Started"}).status_code == 302


def test_filters_and_exports_reflect_the_workplan(world: World, plan: Plan) -> None:
    Action.objects.filter(plan=plan, number=2).update(status="done")
    client = _client("secretary")
    tu = plan.parties.get(name="Trade Union side")
    numbers = lambda response: [a.number for a, _ in response.context["rows"]]  # noqa: E731
    assert numbers(client.get(plan.get_absolute_url(), {"owner": tu.pk})) == [2, 4]
    assert numbers(client.get(plan.get_absolute_url(), {"status": "done"})) == [2]
    assert numbers(client.get(plan.get_absolute_url(), {"overdue": "1"})) == [1, 3, 4]
    exported = client.get(reverse("plan-export", args=[plan.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["Action Number"], r["Status"], r["Overdue"]) for r in rows] == [
        ("1", "Not started", "yes"),
        ("2", "Done", ""),
        ("3", "Not started", "yes"),
        ("4", "Not started", "yes"),
    ]
    book = load_workbook(
        io.BytesIO(client.get(reverse("plan-export", args=[plan.pk, "xlsx"])).content)
    )
    assert [c.value for c in book.active[3]][:2] == [
        2,
        "Produce a sector map showing distribution of Union Learning Reps. within government",
    ]
    printable = client.get(reverse("plan-print", args=[plan.pk])).content.decode()
    assert "End November 2008" in printable and "(overdue)" in printable


def test_the_plan_page_charts_when_each_action_is_due_with_the_same_dates_as_a_table(
    world: World, plan: Plan
) -> None:
    Action.objects.filter(plan=plan, number=2).update(status="done")
    response = _client("secretary").get(plan.get_absolute_url())
    chart = response.context["timeline"]
    # The seed's by-dates: End October, End November (twice) and End 2008; all past but one done.
    assert chart.header == ["Action", "Due", "Status"]
    assert chart.rows == [
        ["1", "31 Oct 2008", "overdue"],
        ["2", "30 Nov 2008", "done"],
        ["3", "30 Nov 2008", "overdue"],
        ["4", "31 Dec 2008", "overdue"],
    ]
    svg = ET.fromstring(chart.svg)
    assert svg.get("role") == "img"
    marks = [float(c.get("cx")) for c in svg.iter("{http://www.w3.org/2000/svg}circle")]
    # A mark on each date: the two due the same day in line, each later one further right.
    assert marks[0] < marks[1] == marks[2] < marks[3]
    labels = "".join(svg.itertext())
    assert "31 Oct 2008 (overdue)" in labels and "30 Nov 2008 (done)" in labels
    html = response.content.decode()
    assert '<th scope="row">2</th><td>30 Nov 2008</td><td>done</td>' in html


def test_an_empty_page_of_the_workplan_has_no_due_date_chart(world: World, plan: Plan) -> None:
    response = _client("secretary").get(plan.get_absolute_url(), {"status": "dropped"})
    assert response.context["timeline"] is None
    assert "<figure" not in response.content.decode()


def test_the_overview_runs_the_same_queries_whatever_the_plan_size(
    world: World, plan: Plan
) -> None:
    client = _client("secretary")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(captured)

    before = count()
    party = plan.parties.first()
    for n in range(5, 25):
        Action.objects.create(
            plan=plan,
            number=n,
            detail=f"Action {n}",
            owner=party.name,
            owner_party=party,
            due_on=datetime.date(2009, 1, n),
            due_wording=f"{n} January 2009",
        )
    assert count() == before


def test_my_tasks_lists_my_partys_open_plan_actions(world: World, plan: Plan) -> None:
    tasks = _client("unison").get(reverse("tasks")).context["plan_actions"]
    assert [a.number for a in tasks] == [2, 4]  # the union side's, all overdue since 2008
    owner_tasks = _client("secretary").get(reverse("tasks")).context["plan_actions"]
    assert [a.number for a in owner_tasks] == [1, 2, 3, 4]
    assert _client("other_secretary").get(reverse("tasks")).context["plan_actions"] == []


def test_owners_set_the_status_and_review_schedule(world: World, plan: Plan) -> None:
    url = reverse("plan-edit", args=[plan.pk])
    assert _client("unison").get(url).status_code == 403
    owner = _client("secretary")
    bad = owner.post(url, {"title": "", "status": "active", "review_every_months": "6"})
    assert bad.status_code == 400 and "title" in bad.context["form"].errors
    assert (
        owner.post(
            url,
            {
                "title": plan.title,
                "status": "active",
                "review_every_months": "6",
                "next_review_on": "2009-01-31",
            },
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert (plan.status, plan.next_review_on) == ("active", datetime.date(2009, 1, 31))
    edit = AuditEvent.objects.get(action="plan.update")
    assert edit.changes["status"] == ["draft", "active"]
    review = owner.post(
        reverse("plan-review-new", args=[plan.pk]),
        {
            "held_on": "2008-12-15",
            "notes": "Actions 1 and 2 on track",
            "next_review_on": "2009-06-30",
        },
    )
    assert review.status_code == 302
    plan.refresh_from_db()
    assert plan.next_review_on == datetime.date(2009, 6, 30)
    assert "Actions 1 and 2 on track" in owner.get(plan.get_absolute_url()).content.decode()


def test_a_plan_members_calendar_holds_their_partys_actions(world: World, plan: Plan) -> None:
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users["unison"])
    events = Calendar.from_ical(
        Client().get(reverse("calendar-feed", args=[feed.token])).content
    ).walk("VEVENT")
    assert sorted(e.decoded("DTSTART") for e in events) == [
        datetime.date(2008, 11, 30),
        datetime.date(2008, 12, 31),
    ]


def test_the_plans_list_runs_the_same_queries_for_one_plan_as_for_four(
    world: World, plan: Plan
) -> None:
    client = _client("officer")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("plans")).status_code == 200
        return len(captured)

    one = count()
    for _ in range(3):
        services.create_plan(
            SEED.read_text(),
            actor=world.users["officer"],
            source_name=SEED.name,
            corrections=[services.Correction(31, "Action Number", "2")],
        )
    assert count() == one


def test_the_workplan_exports_quote_text_that_would_start_a_formula(
    world: World, plan: Plan
) -> None:
    Action.objects.filter(plan=plan, number=1).update(detail="=1+1")
    Action.objects.filter(plan=plan, number=2).update(detail="-2+3", due_wording="@SUM(A1)")
    client = _client("secretary")
    exported = client.get(reverse("plan-export", args=[plan.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["Action Number"], r["Action Detail"]) for r in rows[:2]] == [
        ("1", "'=1+1"),
        ("2", "'-2+3"),
    ]
    assert rows[1]["Action By date"] == "'@SUM(A1)"
    book = load_workbook(
        io.BytesIO(client.get(reverse("plan-export", args=[plan.pk, "xlsx"])).content)
    )
    first, second = book.active[2], book.active[3]
    assert (first[0].value, first[1].value, first[1].data_type) == (1, "'=1+1", "s")
    assert (second[1].value, second[3].value) == ("'-2+3", "'@SUM(A1)")
    assert first[0].data_type == "n"


def test_a_control_character_in_progress_does_not_break_the_workplan_export(
    world: World, plan: Plan
) -> None:
    action = plan.actions.get(number=1)
    action.progress.create(text="Started\x01 today", author=world.users["secretary"])
    client = _client("secretary")
    response = client.get(reverse("plan-export", args=[plan.pk, "xlsx"]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active[2][7].value == "Started today"


def test_progress_with_a_control_character_is_refused_naming_the_field(
    world: World, plan: Plan
) -> None:
    action = plan.actions.get(number=2)
    response = _client("unison").post(action.get_absolute_url(), {"text": "Started\x01"})
    assert response.status_code == 400
    assert (
        response.context["form"]
        .errors["text"][0]
        .startswith("Progress contains characters that cannot be stored (U+0001)")
    )
    assert not action.progress.exists()


def test_a_correction_the_preview_never_offered_is_ignored_not_a_server_error(
    world: World,
) -> None:
    officer = _client("officer")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), "text/plain")
    officer.post(reverse("plan-import-upload"), {"file": upload})
    pending = PlanImport.objects.get()
    for key in ("fix:abc:detail", "fix:1", "fix:²:Action Number", "fix::x", "fix:-1:x"):
        response = officer.post(pending.get_absolute_url(), {key: "2"})
        assert response.status_code == 200, key
    pending.refresh_from_db()
    assert pending.corrections == []


@pytest.mark.parametrize("kind", ["pdf", "xyz", "CSV"])
def test_the_workplan_is_exported_only_as_csv_or_xlsx(world: World, plan: Plan, kind: str) -> None:
    response = _client("secretary").get(f"/plans/{plan.pk}/workplan.{kind}")
    assert response.status_code == 404


WORKPLAN_HEADER = [
    "Action Number",
    "Action Detail",
    "Action Owner",
    "Action By date",
    "Due on",
    "Status",
    "Overdue",
    "Latest progress",
    "Latest progress on",
]


def test_the_workplan_workbook_opens_with_dates_widths_and_a_frozen_filtered_header(
    world: World, plan: Plan
) -> None:
    action = plan.actions.get(number=1)
    # 23:30 UTC on 3 November is still 3 November in London (GMT).
    at = datetime.datetime(2008, 11, 3, 23, 30, tzinfo=datetime.UTC)
    action.progress.create(text="Draft sent", author=world.users["secretary"], created_at=at)
    response = _client("secretary").get(reverse("plan-export", args=[plan.pk, "xlsx"]))
    assert response["Content-Disposition"] == (
        'attachment; filename="government-skills-trade-union-action-plan-workplan.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Workplan"]
    sheet = book.active
    assert [c.value for c in sheet[1]] == WORKPLAN_HEADER
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I5"
    # The due dates, from "End October 2008" and so on, are dates a spreadsheet sorts.
    due = [sheet.cell(row, 5) for row in range(2, 6)]
    assert [c.value for c in due] == [
        datetime.datetime(2008, 10, 31),
        datetime.datetime(2008, 11, 30),
        datetime.datetime(2008, 11, 30),
        datetime.datetime(2008, 12, 31),
    ]
    assert all(c.is_date and c.number_format == "dd/mm/yyyy" for c in due)
    assert sheet["I2"].is_date and sheet["I2"].value == datetime.datetime(2008, 11, 3)
    assert (sheet["H2"].value, sheet["I3"].value) == ("Draft sent", None)
    # The wording of the date stays text, as written in the plan.
    assert sheet["D3"].value == "End November 2008" and sheet["D3"].data_type == "s"
    widths = {letter: d.width for letter, d in sheet.column_dimensions.items()}
    assert widths == {
        "A": 15,  # "Action Number"
        "B": 60,  # the longest detail runs to 104 characters: the widest, wrapped
        "C": 19,  # "Government Skills"
        "D": 19,  # "End November 2008"
        "E": 12,  # "31/10/2008"
        "F": 13,  # "Not started"
        "G": 9,  # "Overdue"
        "H": 17,  # "Latest progress"
        "I": 20,  # "Latest progress on"
    }
    assert sheet["B4"].alignment.wrap_text and not sheet["C4"].alignment.wrap_text
    assert sheet.row_dimensions[4].height == 30  # the 104 characters take two lines


def test_the_workplan_csv_writes_dates_as_iso_8601(world: World, plan: Plan) -> None:
    response = _client("secretary").get(reverse("plan-export", args=[plan.pk, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="government-skills-trade-union-action-plan-workplan.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == WORKPLAN_HEADER
    assert [(r["Action By date"], r["Due on"]) for r in rows] == [
        ("End October 2008", "2008-10-31"),
        ("End November 2008", "2008-11-30"),
        ("End November 2008", "2008-11-30"),
        ("End 2008", "2008-12-31"),
    ]


def test_an_exported_workbook_imports_again_as_the_same_workplan(world: World, plan: Plan) -> None:
    officer = _client("officer")
    exported = officer.get(reverse("plan-export", args=[plan.pk, "xlsx"])).content
    officer.post(
        reverse("plan-import-upload"),
        {"file": SimpleUploadedFile("workplan.xlsx", exported), "title": "Again"},
    )
    pending = PlanImport.objects.get(title="Again")
    assert officer.get(pending.get_absolute_url()).context["fixes"] == []
    officer.post(pending.get_absolute_url(), {"confirm": "1"})
    again = Plan.objects.get(title="Again")
    read = lambda p: list(  # noqa: E731
        p.actions.order_by("number").values_list("number", "detail", "owner", "due_on")
    )
    assert read(again) == read(plan)


def test_an_uploaded_name_is_kept_short_and_clean(world: World) -> None:
    officer = _client("officer")
    name = "a\x00b" + "x" * 300 + ".txt"
    upload = SimpleUploadedFile(name, SEED.read_bytes(), "text/plain")
    response = officer.post(reverse("plan-import-upload"), {"file": upload})
    assert response.status_code == 302
    stored = PlanImport.objects.get().source_name
    assert len(stored) == 150 and stored.endswith("x.txt") and "\x00" not in stored


def test_a_correction_of_a_column_by_another_name_is_refused_where_it_is_made(
    world: World,
) -> None:
    officer = _client("officer")
    upload = SimpleUploadedFile(SEED.name, SEED.read_bytes(), "text/plain")
    officer.post(reverse("plan-import-upload"), {"file": upload})
    pending = PlanImport.objects.get()
    response = officer.post(
        pending.get_absolute_url(), {"fix:31:action number": "2", "confirm": "1"}
    )
    assert response.status_code == 400
    assert "There is no action number cell on line 31 to correct." in response.content.decode()
    pending.refresh_from_db()
    assert pending.corrections == [] and not Plan.objects.exists()
