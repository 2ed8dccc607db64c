"""Concerns through the API: secret to everyone but the officers, the raiser and (once told)
the employer, each seeing what the page shows them; raised by anyone, as the public form
allows; moved on by the steps the pages declare."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.enrolments.process import State
from accord.membership import concerns
from accord.membership.concern_views import CONCERN_STEPS
from accord.membership.models import Concern, ConcernState, Membership
from tests.world import PERSONAS, World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SUBJECT = "Supply staff are refused the staff consultation."
RESPONSE = "We now include them."
REASONS = "Agreed with the head."


@dataclass
class Data:
    world: World
    membership: Membership
    decided: Concern  # raised by the outsider, put, answered and decided with a remedy
    public: Concern  # raised by the public, never confirmed
    open: Concern  # raised by the rep, with the officers


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: Any) -> Iterator[Data]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        users = world.users
        world.enrolment(State.LISTED)
        membership = Membership.objects.get()
        decided = concerns.raise_concern(
            membership,
            actor=users["outsider"],
            data={"subject": SUBJECT, "file": SimpleUploadedFile("raiser.pdf", PDF)},
        )
        concerns.put_to_employer(decided, actor=users["officer"], data={"put_note": "Answer."})
        concerns.respond(
            decided,
            actor=users["employer"],
            data={"response": RESPONSE, "file": SimpleUploadedFile("reply.pdf", PDF)},
        )
        due = timezone.localdate() + datetime.timedelta(days=60)
        concerns.decide(
            decided,
            actor=users["officer"],
            data={
                "outcome": "remedies",
                "reasons": REASONS,
                "remedies": [{"detail": "Invite them", "owner": "Head", "due_on": due}],
            },
        )
        public = concerns.raise_concern(
            membership,
            actor=None,
            data={"subject": "Noise", "raiser_name": "Pat Public", "raiser_email": "pat@x.net"},
            client_ip="127.0.0.1",
        )
        opened = concerns.raise_concern(
            membership, actor=users["rep"], data={"subject": "Meetings in lessons."}
        )
        yield Data(world, membership, decided, public, opened)
        transaction.set_rollback(True)


def _as(data: Data, persona: str, **kwargs: Any) -> ApiClient:
    return ApiClient(data.world.users[persona], **kwargs)


def _page_status(data: Data, persona: str, path: str) -> int:
    page = Client()
    page.force_login(data.world.users[persona])
    return page.get(path).status_code


def test_a_concern_is_secret_to_all_but_its_officers_raiser_and_the_employer_told(
    data: Data,
) -> None:
    path = f"concerns/{data.decided.pk}/"
    seeing = {"officer", "outsider", "employer"}
    for persona in PERSONAS:
        response = _as(data, persona).get(path)
        expected = 200 if persona in seeing else 404
        assert response.status_code == expected, persona
        assert _page_status(data, persona, f"/{path}") == expected, persona
    # A public concern never confirmed is not found, by its officers either.
    assert _as(data, "officer").get(f"concerns/{data.public.pk}/").status_code == 404
    assert _as(data, "officer").get("concerns/999999/").status_code == 404


def test_the_officers_read_it_whole(data: Data) -> None:
    body = _as(data, "officer").get(f"concerns/{data.decided.pk}/").json()
    assert body["state"] == "decided" and body["outcome"] == "remedies"
    assert body["about"]["subject"] == SUBJECT
    assert body["internal"]["raised_by"] == {
        "name": "Outsider",
        "email": "outsider@example.org",
        "public": False,
    }
    assert body["internal"]["decided_by"] == "Officer"
    case = body["case"]
    assert case["response"] == RESPONSE and case["reasons"] == REASONS
    assert sorted(f["name"] for f in case["evidence"]) == ["raiser.pdf", "reply.pdf"]
    [remedy] = case["remedies"]
    assert remedy["detail"] == "Invite them"
    assert body["steps"] == []  # the appeal is the raiser's or the employer's


def test_the_raiser_sees_the_state_and_decision_and_nothing_else(data: Data) -> None:
    response = _as(data, "outsider").get(f"concerns/{data.decided.pk}/")
    body = response.json()
    assert body["state"] == "decided" and body["outcome"] == "remedies"
    assert body["about"]["subject"] == SUBJECT
    assert body["case"] is None and body["internal"] is None
    assert body["appeal_open_until"] is not None
    assert [s["step"] for s in body["steps"]] == ["appeal"]
    text = response.content.decode()
    for private in (RESPONSE, REASONS, "Answer.", "reply.pdf", "Invite them", "response_due"):
        assert private not in text, private


def test_the_employer_never_learns_who_raised_it(data: Data) -> None:
    response = _as(data, "employer").get(f"concerns/{data.decided.pk}/")
    body = response.json()
    assert body["case"]["response"] == RESPONSE and body["case"]["reasons"] == REASONS
    assert [f["name"] for f in body["case"]["evidence"]] == ["reply.pdf"]
    assert body["internal"] is None
    text = response.content.decode().lower()
    for private in ("outsider", "raiser.pdf"):
        assert private not in text, private
    raiser_file = data.decided.evidence.get(side="raiser")
    assert _as(data, "employer").get(f"concerns/evidence/{raiser_file.pk}/").status_code == 404
    assert _as(data, "officer").get(f"concerns/evidence/{raiser_file.pk}/").status_code == 200
    reply = data.decided.evidence.get(side="employer")
    download = _as(data, "employer").get(f"concerns/evidence/{reply.pk}/", Accept="*/*")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert _as(data, "outsider").get(f"concerns/evidence/{reply.pk}/").status_code == 404


def test_each_persona_lists_the_concerns_it_may_know_of(data: Data) -> None:
    expected = {
        "officer": {data.decided.pk, data.open.pk},
        "outsider": {data.decided.pk},
        "employer": {data.decided.pk},
        "rep": {data.open.pk},
    }
    for persona in PERSONAS:
        rows = _as(data, persona).get("concerns/").json()["results"]
        assert {r["id"] for r in rows} == expected.get(persona, set()), persona
    [mine] = _as(data, "outsider").get("concerns/").json()["results"]
    assert mine["response_due_on"] is None
    [told] = _as(data, "employer").get("concerns/").json()["results"]
    due = Concern.objects.get(pk=data.decided.pk).response_due_on
    assert told["response_due_on"] == due.isoformat()
    assert ApiClient().get("concerns/").status_code == 401


def test_the_list_reads_a_fixed_number_of_queries(data: Data) -> None:
    officer = _as(data, "officer")
    officer.get("concerns/")  # the token's first use of the day is recorded once

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = officer.get("concerns/")
        return response.json()["count"], len(queries)

    two, few = counted()
    for n in range(18):
        concerns.raise_concern(
            data.membership, actor=data.world.users["rep"], data={"subject": f"Concern {n}"}
        )
    twenty, many = counted()
    assert (two, twenty) == (2, 20)
    assert few == many


def _raise(client: ApiClient, data: Data, body: dict[str, Any]) -> Any:
    return client.upload(f"register/{data.membership.reference}/concerns/", body)


def test_the_public_raise_a_concern_to_confirm_by_e_mail(data: Data) -> None:
    public = ApiClient()
    before = Concern.objects.count()
    missing = _raise(public, data, {"raiser_email": "not an address"})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"raiser_name", "raiser_email", "subject"}
    robot = {"raiser_name": "Bot", "raiser_email": "bot@x.net", "subject": "Buy", "website": "x"}
    assert _raise(public, data, robot).status_code == 202
    assert Concern.objects.count() == before
    sent = _raise(
        public, data, {"raiser_name": "Sam", "raiser_email": "sam@x.net", "subject": "Noise"}
    )
    assert sent.status_code == 202 and "Check your e-mail" in sent.json()["detail"]
    concern = Concern.objects.latest("id")
    assert concern.state == ConcernState.UNCONFIRMED and concern.raiser_email == "sam@x.net"
    assert "id" not in sent.json()
    assert ApiClient().post("register/NOSUCHREF/concerns/", {"subject": "x"}).status_code == 404


def test_the_public_form_keeps_its_daily_limit_per_address(data: Data) -> None:
    public = ApiClient()
    with override_settings(ACCORD_CONCERN_LIMIT_PER_EMAIL=1):
        first = {"raiser_name": "Sam", "raiser_email": "sam@x.net", "subject": "One"}
        assert _raise(public, data, first).status_code == 202
        second = _raise(public, data, {**first, "subject": "Two"})
    assert second.status_code == 422
    assert list(second.json()["errors"]) == ["raiser_email"]


def test_a_signed_in_raiser_gets_the_concern_as_they_may_see_it(data: Data) -> None:
    secretary = _as(data, "secretary")
    refused = _raise(
        secretary, data, {"subject": "Cover", "file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["file"]
    response = _raise(secretary, data, {"subject": "Cover"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/concerns/{body['id']}/"
    assert body["state"] == "open" and body["about"]["subject"] == "Cover"
    assert body["case"] is None and body["internal"] is None
    reader = _as(data, "secretary", read_only=True)
    assert _raise(reader, data, {"subject": "Cover"}).status_code == 403


def test_the_steps_follow_the_declaration_and_its_rules(data: Data) -> None:
    officer, employer = _as(data, "officer"), _as(data, "employer")
    concern = f"concerns/{data.open.pk}/"
    assert officer.post(concern + "steps/no-such-step/", {}).status_code == 404
    assert _as(data, "secretary").post(concern + "steps/decision/", {}).status_code == 404
    assert _as(data, "rep").post(concern + "steps/decision/", {}).status_code == 403
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    wrong = officer.post(concern + "steps/put-to-employer/", {"response_due_on": "soon"})
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"put_note", "response_due_on"}
    put = officer.post(
        concern + "steps/put-to-employer/", {"put_note": "Answer it", "response_due_on": due}
    )
    assert put.status_code == 200, put.json()
    assert put.json()["state"] == "put_to_employer"
    again = officer.post(
        concern + "steps/put-to-employer/", {"put_note": "Answer it", "response_due_on": due}
    )
    assert again.status_code == 422
    bad_file = employer.upload(
        concern + "steps/response/",
        {"response": "Fine", "file": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert bad_file.status_code == 400 and list(bad_file.json()["errors"]) == ["file"]
    answered = employer.upload(
        concern + "steps/response/", {"response": "Fine", "file": SimpleUploadedFile("r.pdf", PDF)}
    )
    assert answered.status_code == 200 and answered.json()["state"] == "responded"
    assert answered.json()["internal"] is None
    undecided = officer.post(concern + "steps/decision/", {"outcome": "no_action"})
    assert undecided.status_code == 400 and list(undecided.json()["errors"]) == ["reasons"]

    appeal = _as(data, "outsider").post(
        f"concerns/{data.decided.pk}/steps/appeal/", {"grounds": "Too soft."}
    )
    assert appeal.status_code == 200 and appeal.json()["state"] == "appealed"
    # The officer who decided may not decide the appeal.
    decider = officer.post(
        f"concerns/{data.decided.pk}/steps/appeal-decision/",
        {"outcome": "remedies", "reasons": "Confirmed."},
    )
    assert decider.status_code == 403


def _schema() -> dict[str, Any]:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_each_declared_step_has_its_own_address_and_form_in_the_schema(
    data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _schema()["paths"]
    for slug in CONCERN_STEPS:
        assert f"/api/v1/concerns/{{id}}/steps/{slug}/" in paths, slug
    decision = paths["/api/v1/concerns/{id}/steps/decision/"]["post"]
    fields = decision["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"outcome", "reasons", "remedy_1_detail", "remedy_3_due_on"} <= set(fields)
    response = paths["/api/v1/concerns/{id}/steps/response/"]["post"]
    assert list(response["requestBody"]["content"]) == ["multipart/form-data"]

    # A step added to the declaration is served and described with no API code changed.
    monkeypatch.setitem(CONCERN_STEPS, "putting", CONCERN_STEPS["put-to-employer"])
    paths = _schema()["paths"]
    added = paths["/api/v1/concerns/{id}/steps/putting/"]["post"]
    assert "put_note" in added["requestBody"]["content"]["application/json"]["schema"]["properties"]
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    taken = _as(data, "officer").post(
        f"concerns/{data.open.pk}/steps/putting/", {"put_note": "Answer", "response_due_on": due}
    )
    assert taken.status_code == 200 and taken.json()["state"] == "put_to_employer"
