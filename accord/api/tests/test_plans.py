"""The plans API answers as the plan pages do: who sees and edits a plan, the workplan with its
filters, reviews, and the plan import with its preview, corrections and confirmation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.accounts.models import Role, RoleAssignment
from accord.actions.models import Action
from accord.plans import services
from accord.plans.models import Plan, PlanImport, PlanReview
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "plans" / "data" / "government-skills-2008.txt"


@pytest.fixture
def plan(world: World) -> Plan:
    """The seed plan: the secretary owns it, UNISON's partner rep is on the union side."""
    plan = world.plan()
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    RoleAssignment.objects.create(user=world.users["secretary"], role=Role.PLAN_OWNER, plan=plan)
    return plan


def _as(world: World, persona: str) -> ApiClient:
    return ApiClient(world.users[persona])


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "listed", "detail", "may_manage"),
    [
        ("officer", 1, 200, True),  # national officers read and run every plan
        ("other_officer", 1, 200, True),
        ("auditor", 1, 200, False),  # the auditor reads every plan
        ("secretary", 1, 200, True),  # the plan's owner
        ("unison", 1, 200, False),  # a member of one of the plan's parties
        ("other_secretary", 0, 403, None),  # no part in the plan
        ("rep", 0, 403, None),
        ("employer", 0, 403, None),
        ("outsider", 0, 403, None),
    ],
)
def test_each_persona_sees_the_plan_as_the_page_lets_them(
    world: World, plan: Plan, persona: str, listed: int, detail: int, may_manage: bool | None
) -> None:
    api = _as(world, persona)
    assert api.get("plans/").json()["count"] == listed
    response = api.get(f"plans/{plan.pk}/")
    assert response.status_code == detail
    if detail == 200:
        assert response.json()["may_manage"] is may_manage
    assert api.get(f"plans/{plan.pk}/actions/").status_code == detail
    assert api.get(f"plans/{plan.pk}/reviews/").status_code == detail


def test_the_overview_shows_parties_issues_and_commitments(world: World, plan: Plan) -> None:
    body = _as(world, "unison").get(f"plans/{plan.pk}/").json()
    assert body["title"] == "Government Skills Trade Union Action Plan"
    assert body["date_wording"] == "July 2008"
    assert body["status"] == "draft"
    assert [p["name"] for p in body["parties"]] == ["Government Skills", "Trade Union side"]
    assert len(body["purposes"]) == 4
    assert body["purposes"][0].startswith("It sets out a commitment to joint working")
    assert [t["title"] for t in body["themes"]][:2] == [
        "Commitment to working with trade unions",
        "Cooperation in delivery of Sector Skills Strategy",
    ]
    assert len(body["themes"]) == 8
    assert all(t["commitments"] for t in body["themes"])
    assert body["reviews"] == []
    listed = _as(world, "unison").get("plans/").json()["results"]
    assert [(p["id"], p["title"]) for p in listed] == [(plan.pk, body["title"])]


def test_an_unknown_plan_is_a_404(world: World, plan: Plan) -> None:
    officer = _as(world, "officer")
    for path in ("plans/999999/", "plans/999999/actions/", "plans/999999/reviews/"):
        assert officer.get(path).status_code == 404, path
    assert officer.put("plans/actions/999999/", {}).status_code == 404
    assert officer.get("plans/abc/").status_code == 404
    huge = "9" * 30
    for path in (f"plans/{huge}/", f"plans/{huge}/actions/", f"plans/imports/{huge}/"):
        assert officer.get(path).status_code == 404, path
    assert officer.put(f"plans/actions/{huge}/", {}).status_code == 404
    assert officer.post(f"plans/imports/{huge}/confirm/").status_code == 404
    for path in ("plans/", "plans/0/", "plans/actions/0/", "plans/imports/0/corrections/"):
        assert officer.client.options(f"/api/v1/{path}", headers=officer.headers).status_code == 405


# --- the workplan ----------------------------------------------------------------------------


def test_the_workplan_filters_as_the_page_does(world: World, plan: Plan) -> None:
    Action.objects.filter(plan=plan, number=2).update(status="done")
    tu = plan.parties.get(name="Trade Union side")
    api = _as(world, "unison")

    def numbers(**params: str) -> list[int]:
        response = api.get(f"plans/{plan.pk}/actions/", params)
        assert response.status_code == 200, response.json()
        return [a["number"] for a in response.json()["results"]]

    assert numbers() == [1, 2, 3, 4]
    assert numbers(owner=str(tu.pk)) == [2, 4]
    assert numbers(status="done") == [2]
    assert numbers(overdue="1") == [1, 3, 4]
    assert numbers(overdue="true", owner=str(tu.pk)) == [4]
    assert numbers(overdue="false") == [1, 2, 3, 4]
    rows = api.get(f"plans/{plan.pk}/actions/").json()["results"]
    first, second = rows[0], rows[1]
    assert first["owner"] == "Government Skills"
    assert (first["due_on"], first["due_wording"]) == ("2008-10-31", "End October 2008")
    assert (first["status"], first["overdue"]) == ("not_started", True)
    assert (second["status"], second["overdue"]) == ("done", False)
    # The union-side member updates the union side's actions only.
    assert [r["may_update"] for r in rows] == [False, True, False, True]
    assert all(
        r["may_update"]
        for r in _as(world, "secretary").get(f"plans/{plan.pk}/actions/").json()["results"]
    )


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"owner": "abc"}, "owner"),
        ({"owner": "-3"}, "owner"),
        ({"status": "finished"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_a_filter_no_page_offers_is_a_400_naming_it(
    world: World, plan: Plan, params: dict[str, str], name: str
) -> None:
    response = _as(world, "officer").get(f"plans/{plan.pk}/actions/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_a_page_past_the_end_is_a_404_and_a_bad_page_a_400(world: World, plan: Plan) -> None:
    api = _as(world, "officer")
    response = api.get(f"plans/{plan.pk}/actions/", {"page": "9"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    for page in ("0", "abc"):
        response = api.get(f"plans/{plan.pk}/actions/", {"page": page})
        assert response.status_code == 400, page
        assert list(response.json()["errors"]) == ["page"]


def _count(api: ApiClient, path: str) -> int:
    """The queries of a GET, once the token's first use (which records it) is behind."""
    api.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_workplan_runs_the_same_queries_for_4_actions_as_for_24(
    world: World, plan: Plan
) -> None:
    api = _as(world, "unison")
    path = f"plans/{plan.pk}/actions/"
    before = _count(api, path)
    parties = list(plan.parties.all())
    commitments = list(plan.themes.first().commitments.all())
    for n in range(5, 25):
        party = parties[n % 2]
        action = Action.objects.create(
            plan=plan,
            number=n,
            detail=f"Action {n}",
            owner=party.name,
            owner_party=party,
            due_on=datetime.date(2009, 1, n),
            due_wording=f"{n} January 2009",
        )
        action.commitments.set(commitments)
    assert _count(api, path) == before
    assert len(api.get(path).json()["results"]) == 24


def test_the_plans_and_reviews_lists_run_the_same_queries_for_few_and_many(
    world: World, plan: Plan
) -> None:
    officer = _as(world, "officer")

    def add_reviews(days: range) -> None:
        for day in days:
            PlanReview.objects.create(
                plan=plan,
                held_on=datetime.date(2009, 1, day),
                notes=f"Review {day}",
                recorded_by=world.users["officer"],
            )

    add_reviews(range(1, 3))
    plans_before = _count(officer, "plans/")
    reviews_path = f"plans/{plan.pk}/reviews/"
    reviews_before = _count(officer, reviews_path)
    for _ in range(3):
        services.create_plan(
            SEED.read_text(encoding="utf-8"),
            actor=world.users["officer"],
            source_name=SEED.name,
            corrections=[services.Correction(31, "Action Number", "2")],
        )
    add_reviews(range(3, 23))
    assert _count(officer, "plans/") == plans_before
    assert _count(officer, reviews_path) == reviews_before
    assert officer.get("plans/").json()["count"] == 4
    reviews = officer.get(reviews_path).json()
    assert reviews["count"] == 22
    assert [r["held_on"] for r in reviews["results"][:2]] == ["2009-01-22", "2009-01-21"]


# --- changes ---------------------------------------------------------------------------------


def test_an_owner_edits_an_action_with_the_pages_checks(world: World, plan: Plan) -> None:
    action = plan.actions.get(number=1)
    tu = plan.parties.get(name="Trade Union side")
    path = f"plans/actions/{action.pk}/"
    owner = _as(world, "secretary")
    edit = {
        "number": 1,
        "detail": action.detail,
        "owner_party": tu.pk,
        "due_wording": "Mid November 2008",
    }
    clash = owner.put(path, {**edit, "number": 2})
    assert clash.status_code == 422
    assert clash.json()["errors"] == {"number": ["Action 2 already exists in this plan."]}
    bad_date = owner.put(path, {**edit, "due_wording": "sometime"})
    assert bad_date.status_code == 422
    assert "cannot be read as a date" in bad_date.json()["errors"]["due_wording"][0]
    wrong_shape = owner.put(path, {"number": 1, "detail": ["a", "b"], "owner_party": {"x": 1}})
    assert set(wrong_shape.json()["errors"]) == {"detail", "owner_party"}
    missing = owner.put(path, {"number": "one", "detail": "b"})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"number", "owner_party", "due_wording"}
    too_big = owner.put(path, {**edit, "number": 2**31})
    assert too_big.status_code == 400 and list(too_big.json()["errors"]) == ["number"]
    other_plan_party = owner.put(path, {**edit, "owner_party": 999999})
    assert other_plan_party.status_code == 400
    assert list(other_plan_party.json()["errors"]) == ["owner_party"]
    assert _as(world, "unison").put(path, edit).status_code == 403
    assert _as(world, "auditor").put(path, edit).status_code == 403
    done = owner.put(path, edit)
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["owner"], body["owner_party"], body["due_on"]) == (
        "Trade Union side",
        tu.pk,
        "2008-11-15",
    )
    action.refresh_from_db()
    assert (action.owner, action.due_on) == ("Trade Union side", datetime.date(2008, 11, 15))


def test_an_owner_sets_the_status_and_review_schedule(world: World, plan: Plan) -> None:
    path = f"plans/{plan.pk}/"
    edit = {
        "title": plan.title,
        "status": "active",
        "review_every_months": 6,
        "next_review_on": "2009-01-31",
    }
    assert _as(world, "unison").put(path, edit).status_code == 403
    assert _as(world, "other_secretary").put(path, edit).status_code == 403
    owner = _as(world, "secretary")
    bad = owner.put(path, {**edit, "title": "", "status": "sleeping"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"title", "status"}
    done = owner.put(path, edit)
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["next_review_on"]) == ("active", "2009-01-31")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_an_owner_records_a_review_once_per_idempotency_key(world: World, plan: Plan) -> None:
    path = f"plans/{plan.pk}/reviews/"
    review = {"held_on": "2008-12-15", "notes": "Actions 1 and 2 on track"}
    review["next_review_on"] = "2009-06-30"
    assert _as(world, "unison").post(path, review).status_code == 403
    owner = _as(world, "secretary")
    future = owner.post(path, {**review, "held_on": "2999-01-01"})
    assert future.status_code == 400 and list(future.json()["errors"]) == ["held_on"]
    first = owner.post(path, review, **{"Idempotency-Key": "review-1"})
    assert first.status_code == 201, first.json()
    again = owner.post(path, review, **{"Idempotency-Key": "review-1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PlanReview.objects.filter(plan=plan).count() == 1
    listed = _as(world, "unison").get(path).json()["results"]
    assert [(r["held_on"], r["notes"]) for r in listed] == [
        ("2008-12-15", "Actions 1 and 2 on track")
    ]
    assert _as(world, "unison").get(f"plans/{plan.pk}/").json()["next_review_on"] == "2009-06-30"


# --- the import ------------------------------------------------------------------------------


def _upload(api: ApiClient, name: str, content: bytes, title: str = "") -> object:
    data: dict[str, object] = {"file": SimpleUploadedFile(name, content)}
    if title:
        data["title"] = title
    return api.upload("plans/imports/", data)


def test_the_seed_is_imported_through_the_api_after_correcting_its_problem(
    world: World,
) -> None:
    officer = _as(world, "officer")
    uploaded = _upload(officer, SEED.name, SEED.read_bytes())
    assert uploaded.status_code == 201, uploaded.json()
    reading = uploaded.json()
    pending = PlanImport.objects.get()
    assert uploaded["Location"] == f"/api/v1/plans/imports/{pending.pk}/"
    assert reading["ready"] is False and reading["error"] is None
    [problem] = reading["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (31, "Action Number", "0")
    assert "it is probably 2" in problem["message"]
    assert [a["number"] for a in reading["plan"]["actions"]] == [1, 0, 3, 4]
    path = f"plans/imports/{pending.pk}/"
    assert officer.get(path).json() == reading
    # Someone else's upload is not theirs to see.
    assert _as(world, "other_officer").get(path).status_code == 404

    refused = officer.post(path + "confirm/")
    assert refused.status_code == 422
    assert refused.json()["errors"]["non_field_errors"][1].startswith("Row 31, Action Number:")
    assert not Plan.objects.exists()

    nowhere = officer.post(
        path + "corrections/", [{"row": 900, "column": "Action Number", "value": "2"}]
    )
    assert nowhere.status_code == 422
    pending.refresh_from_db()
    assert pending.corrections == []

    corrected = officer.post(
        path + "corrections/", [{"row": 31, "column": "Action Number", "value": " 2 "}]
    )
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["ready"] is True and corrected.json()["problems"] == []
    assert corrected.json()["corrections"] == [{"row": 31, "column": "Action Number", "value": "2"}]

    done = officer.post(path + "confirm/", **{"Idempotency-Key": "confirm-seed"})
    assert done.status_code == 201, done.json()
    plan = Plan.objects.get()
    assert done["Location"] == f"/api/v1/plans/{plan.pk}/"
    assert done.json()["title"] == "Government Skills Trade Union Action Plan"
    assert sorted(plan.actions.values_list("number", flat=True)) == [1, 2, 3, 4]
    replay = officer.post(path + "confirm/", **{"Idempotency-Key": "confirm-seed"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Plan.objects.count() == 1
    # Confirmed, the upload is no longer a preview.
    assert officer.get(path).status_code == 404
    assert officer.get(f"plans/{plan.pk}/actions/").json()["count"] == 4


def test_a_csv_workplan_names_its_problems_by_row_and_column(world: World) -> None:
    rows = (
        b"Action Number,Action Detail,Action Owner,Action By date\n"
        b"1,Agree the plan,Council,31/07/2025\n"
        b"1,Again,Council,End July 2025\n"
        b"3,Stranger,Somebody,31/02/2025\n"
    )
    officer = _as(world, "officer")
    reading = _upload(officer, "workplan.csv", rows, title="Council plan").json()
    assert [(p["row"], p["column"]) for p in reading["problems"]] == [
        (3, "Action Number"),
        (4, "Action By date"),
    ]
    assert [p["value"] for p in reading["problems"]] == ["1", "31/02/2025"]
    path = f"plans/imports/{reading['id']}/"
    fixed = officer.post(
        path + "corrections/",
        [
            {"row": 3, "column": "Action Number", "value": "2"},
            {"row": 4, "column": "Action By date", "value": "28/02/2025"},
        ],
    )
    assert fixed.json()["ready"] is True, fixed.json()
    # A column as the problems name it, not as it might be spelt.
    lower = officer.post(
        path + "corrections/", [{"row": 3, "column": "action number", "value": "2"}]
    )
    assert lower.status_code == 422
    assert lower.json()["detail"] == "There is no action number cell on row 3 to correct."
    done = officer.post(path + "confirm/")
    assert done.status_code == 201
    plan = Plan.objects.get(title="Council plan")
    assert plan.actions.count() == 3


def test_bad_uploads_and_bad_corrections_are_400s(world: World) -> None:
    officer = _as(world, "officer")
    no_title = _upload(officer, "workplan.csv", b"Action Number\n1\n")
    assert no_title.status_code == 400 and list(no_title.json()["errors"]) == ["title"]
    wrong_kind = _upload(officer, "plan.pdf", b"%PDF-1.4")
    assert wrong_kind.status_code == 400 and list(wrong_kind.json()["errors"]) == ["file"]
    as_json = officer.post("plans/imports/", {"title": "x"})
    assert as_json.status_code == 400 and list(as_json.json()["errors"]) == ["file"]
    not_utf8 = _upload(officer, "plan.txt", b"\xff\xfe\x00bad")
    assert not_utf8.status_code == 422 and list(not_utf8.json()["errors"]) == ["file"]
    assert _upload(_as(world, "secretary"), SEED.name, SEED.read_bytes()).status_code == 403
    long_name = _upload(officer, "x" * 240 + "\x00.txt", SEED.read_bytes())
    assert long_name.status_code == 201
    assert long_name.json()["source_name"] == "x" * 146 + ".txt"

    pending = _upload(officer, SEED.name, SEED.read_bytes()).json()["id"]
    path = f"plans/imports/{pending}/corrections/"
    for body in (
        {"row": 31, "column": "Action Number", "value": "2"},
        [{"row": "x", "column": "Action Number", "value": "2"}],
        [{"row": 31, "column": ["Action Number"], "value": "2"}],
        [{"row": 31, "column": "Action Number"}],
        ["31"],
        [None],
    ):
        response = officer.post(path, body)
        assert response.status_code == 400, body
    control = officer.post(path, [{"row": 31, "column": "Action Number", "value": "2\x07"}])
    assert control.status_code == 422
    assert officer.post("plans/imports/999999/corrections/", []).status_code == 404
    assert officer.post("plans/imports/999999/confirm/").status_code == 404


def test_an_upload_up_to_the_pages_limit_is_read_and_one_beyond_it_refused(
    world: World, settings: object
) -> None:
    settings.PLAN_IMPORT_MAX_BYTES = 3 * 1024 * 1024  # type: ignore[attr-defined]
    officer = _as(world, "officer")
    # Larger than a request without files may be, within the import's limit: read, and
    # refused for its number of lines, as the page refuses it.
    lines = b"".join(b"line %d of a long plan\n" % n for n in range(120_000))
    assert 2 * 1024 * 1024 < len(lines) < 3 * 1024 * 1024
    read = _upload(officer, "long.txt", lines)
    assert read.status_code == 422
    assert "more than 5000 lines" in read.json()["errors"]["file"][0]
    too_large = _upload(officer, "large.txt", b"x" * (3 * 1024 * 1024 + 10))
    assert too_large.status_code == 400
    assert too_large.json()["errors"]["file"] == [
        "The file is too large: files may be no larger than 3 MB."
    ]
    assert _upload(officer, "huge.txt", b"x" * (6 * 1024 * 1024)).status_code == 413
