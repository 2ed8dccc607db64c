"""Actions through the API: a member's activity, a plan's action and a concern's remedy read as
their pages show them, progress posted with the page's form and evidence checked by the same
rules and limits, and evidence downloaded only by whoever may see the action."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from accord.actions.models import Action, EvidenceFile, ProgressUpdate
from accord.actions.services import post_progress
from accord.enrolments.process import State
from accord.membership import concerns
from accord.membership.models import Membership
from tests.world import PERSONAS, World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MB = 1024 * 1024


@dataclass
class Data:
    world: World
    activity: Action
    plan_action: Action
    remedy: Action
    evidence: EvidenceFile


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    """A listed member with an update and a file on its first activity, the 2008 plan, and a
    concern decided with a remedy: made once, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        users = world.users
        enrolment = world.enrolment(State.LISTED)
        activity = Action.objects.filter(cycle__enrolment=enrolment).order_by("number").first()
        update = post_progress(
            activity,
            actor=users["employer"],
            text="Terms of reference drafted",
            status="in_progress",
            file=SimpleUploadedFile("Terms.pdf", PDF),
        )
        plan = world.plan()
        concern = concerns.raise_concern(
            Membership.objects.get(), actor=users["outsider"], data={"subject": "Supply staff"}
        )
        concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "Answer."})
        concerns.respond(concern, actor=users["employer"], data={"response": "Done."})
        due = timezone.localdate() + datetime.timedelta(days=60)
        concerns.decide(
            concern,
            actor=users["officer"],
            data={
                "outcome": "remedies",
                "reasons": "Agreed.",
                "remedies": [{"detail": "Invite them", "owner": "Head", "due_on": due}],
            },
        )
        yield Data(
            world,
            activity,
            plan.actions.order_by("number").first(),
            concern.remedies.get(),
            update.files.get(),
        )
        transaction.set_rollback(True)


def _as(data: Data, persona: str, **kwargs: Any) -> ApiClient:
    return ApiClient(data.world.users[persona], **kwargs)


# Who reads a listed member's activity (whoever may see the enrolment) and who posts on it
# (either side at the member: reps, the secretary, partner reps in the area, the employer).
ACTIVITY = {
    "rep": (200, True),
    "secretary": (200, True),
    "nem": (200, False),
    "gmb": (200, True),
    "unison": (200, True),
    "unite": (200, True),
    "officer": (200, False),
    "employer": (200, True),
    "auditor": (200, False),
    "other_rep": (403, None),
    "other_secretary": (403, None),
    "other_nem": (403, None),
    "other_gmb": (403, None),
    "other_officer": (403, None),
    "other_employer": (403, None),
    "outsider": (403, None),
}


def test_each_persona_reads_an_activity_as_its_page_allows(data: Data) -> None:
    assert set(ACTIVITY) == set(PERSONAS)
    for persona, (status, may_post) in ACTIVITY.items():
        response = _as(data, persona).get(f"actions/{data.activity.pk}/")
        assert response.status_code == status, persona
        page = Client()
        page.force_login(data.world.users[persona])
        assert page.get(f"/actions/{data.activity.pk}/").status_code == status, persona
        if status == 200:
            assert response.json()["may_post"] is may_post, persona


def test_an_activity_shows_its_progress_and_evidence(data: Data) -> None:
    body = _as(data, "rep").get(f"actions/{data.activity.pk}/").json()
    assert body["kind"] == "activity"
    assert body["employer"] == "Northtown High School"
    assert body["cycle"]["number"] == 1 and body["plan"] is None and body["concern"] is None
    assert body["status"] == "in_progress" and body["may_edit"] is False
    [update] = body["progress"]
    assert update["author"] == "Employer" and update["text"] == "Terms of reference drafted"
    assert update["status"] == "in_progress"
    [file] = update["files"]
    assert file["name"] == "Terms.pdf" and file["size"] == len(PDF)
    assert file["download"] == f"/api/v1/evidence/{data.evidence.pk}/"


def test_a_plan_action_is_read_by_the_plan_people_and_edited_by_its_owners(data: Data) -> None:
    officer = _as(data, "officer").get(f"actions/{data.plan_action.pk}/").json()
    assert officer["kind"] == "plan_action" and officer["employer"] is None
    assert officer["plan"]["title"] == data.plan_action.plan.title
    assert officer["may_edit"] is True and officer["may_post"] is True
    for persona in PERSONAS:
        page = Client()
        page.force_login(data.world.users[persona])
        expected = page.get(f"/actions/{data.plan_action.pk}/").status_code
        got = _as(data, persona).get(f"actions/{data.plan_action.pk}/").status_code
        assert got == expected, persona
    assert _as(data, "outsider").get(f"actions/{data.plan_action.pk}/").status_code == 403


def test_a_remedy_is_not_found_by_anyone_outside_the_concern(data: Data) -> None:
    path = f"actions/{data.remedy.pk}/"
    employer = _as(data, "employer").get(path).json()
    assert employer["kind"] == "remedy" and employer["may_post"] is True
    assert employer["concern"] == data.remedy.concern_id
    assert _as(data, "officer").get(path).status_code == 200
    for persona in ("rep", "secretary", "auditor", "other_officer", "outsider"):
        response = _as(data, persona).get(path)
        assert response.status_code == 404, persona
        assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_action_or_file_is_a_404_problem(data: Data) -> None:
    rep = _as(data, "rep")
    for path in ("actions/999999/", "evidence/999999/", "actions/999999/progress/"):
        response = rep.get(path) if "progress" not in path else rep.post(path, {"text": "x"})
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"


def test_the_employer_posts_progress_with_evidence_and_the_secretary_downloads_it(
    data: Data,
) -> None:
    employer = _as(data, "employer")
    upload = SimpleUploadedFile("Minutes.pdf", PDF, "application/pdf")
    response = employer.upload(
        f"actions/{data.activity.pk}/progress/",
        {"text": "Committee met", "status": "done", "file": upload},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == "Committee met" and body["status"] == "done"
    [file] = body["files"]
    assert file["name"] == "Minutes.pdf"
    data.activity.refresh_from_db()
    assert data.activity.status == "done"

    download = _as(data, "secretary").get(file["download"], Accept="application/pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    for persona in ("other_employer", "other_secretary", "outsider"):
        refused = _as(data, persona).get(file["download"], Accept="application/pdf")
        assert refused.status_code == 404, persona
        assert refused["Content-Type"] == "application/problem+json"


def test_progress_in_json_names_each_wrong_field(data: Data) -> None:
    employer = _as(data, "employer")
    path = f"actions/{data.activity.pk}/progress/"
    before = ProgressUpdate.objects.count()
    for body, field in (
        ({"status": "done"}, "text"),
        ({"text": "x", "status": "finished"}, "status"),
        ({"text": "x", "status": {"now": "done"}}, "status"),
        ({"text": None}, "text"),
    ):
        response = employer.post(path, body)
        assert response.status_code == 400, body
        assert field in response.json()["errors"], body
    assert employer.post(path, ["not", "an", "object"]).status_code == 400
    assert ProgressUpdate.objects.count() == before
    done = employer.post(path, {"text": "Plain words", "status": None})
    assert done.status_code == 201 and done.json()["status"] is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "is not a file type accepted here"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "is not really a PDF"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_refused_file_is_a_400_on_the_file_and_nothing_is_kept(
    data: Data, name: str, content: bytes, message: str
) -> None:
    before = ProgressUpdate.objects.count()
    response = _as(data, "employer").upload(
        f"actions/{data.activity.pk}/progress/",
        {"text": "Done", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]["file"]
    assert message in error
    assert ProgressUpdate.objects.count() == before


def test_a_file_over_the_limit_is_refused(data: Data) -> None:
    path = f"actions/{data.activity.pk}/progress/"
    employer = _as(data, "employer")
    # A body declared larger than the limit and the form's fields is refused unread.
    claimed = employer.client.post(
        "/api/v1/" + path,
        {"text": "Done", "file": SimpleUploadedFile("big.pdf", PDF)},
        headers=employer.headers,
        CONTENT_LENGTH=str(50 * MB),
    )
    assert claimed.status_code == 413
    assert claimed["Content-Type"] == "application/problem+json"
    assert claimed.json()["detail"] == ("The file is too large: files may be no larger than 10 MB.")
    # A file over the limit that fits in the request's margin is refused by the evidence rules.
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        over = employer.upload(
            path, {"text": "Done", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 1024)}
        )
    assert over.status_code == 400
    assert "files may be no larger than 1 KB" in over.json()["errors"]["file"][0]
    assert not ProgressUpdate.objects.filter(text="Done").exists()


def test_only_the_parties_post_progress_and_a_read_only_token_never(data: Data) -> None:
    path = f"actions/{data.activity.pk}/progress/"
    for persona in ("nem", "officer", "auditor"):
        assert _as(data, persona).post(path, {"text": "x"}).status_code == 403, persona
    assert _as(data, "other_employer").post(path, {"text": "x"}).status_code == 403
    reader = _as(data, "employer", read_only=True)
    assert reader.post(path, {"text": "x"}).status_code == 403
    assert not ProgressUpdate.objects.filter(text="x").exists()


def test_an_upload_sent_again_with_its_idempotency_key_is_kept_once(data: Data) -> None:
    employer = _as(data, "employer")
    path = f"actions/{data.activity.pk}/progress/"
    before = EvidenceFile.objects.count()
    # Larger than Django keeps of a body in memory: the key still recognises the upload.
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        answers = [
            employer.upload(
                path,
                {"text": "Sent twice", "file": SimpleUploadedFile("a.pdf", PDF + b"0" * 4096)},
                **{"Idempotency-Key": "progress-1"},
            )
            for _ in range(2)
        ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[0].json() == answers[1].json()
    assert EvidenceFile.objects.count() == before + 1
