"""The API's common behaviour: tokens at the door, problem documents for every error, the
schema and its docs."""

from __future__ import annotations

import pytest

from accord.accounts.models import User
from accord.core.models import AuditEvent
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def test_no_token_is_a_401_problem() -> None:
    response = ApiClient().get("schemes/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["type"].endswith("/unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused() -> None:
    response = ApiClient().get("schemes/", Authorization="Bearer acc_nope")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("The token is not valid")


def test_an_officer_reads_the_schemes_and_a_rep_may_not(world: World) -> None:
    officer = ApiClient(world.users["officer"])
    body = officer.get("schemes/").json()
    assert body["count"] == 1
    scheme = body["results"][0]
    assert scheme["slug"] == world.scheme.slug
    assert [p["number"] for p in scheme["principles"]] == [1, 2, 3, 4, 5, 6]
    rep = ApiClient(world.users["rep"]).get("schemes/")
    assert rep.status_code == 403
    assert rep.json()["type"].endswith("/forbidden")


def test_an_unknown_address_is_a_404_problem(world: World) -> None:
    response = ApiClient(world.users["officer"]).get("no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_form_error_names_its_field(world: World) -> None:
    officer = ApiClient(world.users["officer"])
    response = officer.put(f"schemes/{world.scheme.slug}/principles/1/", {"short_title": ""})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"short_title", "wording"}
    assert errors["wording"] == ["This field is required."]


def test_a_read_only_token_changes_nothing(world: World) -> None:
    reader = ApiClient(world.users["officer"], read_only=True)
    response = reader.put(
        f"schemes/{world.scheme.slug}/principles/1/",
        {"short_title": "Pay", "wording": "New words"},
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_a_rewording_through_the_api_is_a_new_version(world: World) -> None:
    officer = ApiClient(world.users["officer"])
    path = f"schemes/{world.scheme.slug}/principles/1/"
    before = officer.get(path).json()
    response = officer.put(
        path, {"short_title": "Pay", "wording": "New words", "reason": "Plainer"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["current"]["version"] == before[-1]["version"] + 1
    again = officer.put(path, {"short_title": "Pay", "wording": "New words"})
    assert again.status_code == 422
    assert again.json()["errors"] == {
        "wording": ["Nothing was changed: edit the title or the wording."]
    }


def test_the_schema_is_served(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/schemes/" in schema["paths"]
    assert "Problem" in schema["components"]["schemas"]


def test_a_token_is_throttled_on_its_own(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_API_RATES = {"token": "3/minute", "anon": "100/minute"}
    officer = ApiClient(world.users["officer"])
    other = ApiClient(world.users["officer"])
    answers = [officer.get("schemes/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = officer.get("schemes/")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["retry_after"] > 0
    assert int(refused["Retry-After"]) > 0
    # Another token of the same person has its own allowance.
    assert other.get("schemes/").status_code == 200


def test_anonymous_callers_are_throttled_by_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_API_RATES = {"token": "100/minute", "anon": "2/minute"}
    first, second = ApiClient(), ApiClient()
    answers = [first.get("no-such-thing/").status_code for _ in range(2)]
    # A second client from the same address shares the allowance; another address does not.
    answers.append(second.get("no-such-thing/").status_code)
    elsewhere = second.client.get("/api/v1/no-such-thing/", REMOTE_ADDR="192.0.2.7")
    assert answers == [404, 404, 429]
    assert elsewhere.status_code == 404


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
    ],
)
def test_a_bad_page_is_a_400_naming_it(world: World, query: dict[str, str], name: str) -> None:
    response = ApiClient(world.users["officer"]).get("schemes/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_a_page_past_the_end_is_a_404(world: World) -> None:
    response = ApiClient(world.users["officer"]).get("schemes/", {"page": "2"})
    assert response.status_code == 404


@pytest.mark.parametrize("value", [["Pay", "More"], {"a": 1}])
def test_a_list_or_object_where_one_value_belongs_is_a_400(world: World, value: object) -> None:
    officer = ApiClient(world.users["officer"])
    response = officer.put(
        f"schemes/{world.scheme.slug}/principles/1/", {"short_title": value, "wording": "W"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "short_title": ["Expected one value, not a list or an object."]
    }


@pytest.mark.parametrize("body", [["a"], "text", 3])
def test_a_body_that_is_not_an_object_is_a_400(world: World, body: object) -> None:
    officer = ApiClient(world.users["officer"])
    response = officer.put(f"schemes/{world.scheme.slug}/principles/1/", body)
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_tokens_first_use_is_audited_outside_a_test_transaction() -> None:
    """As on a live server, where a request runs in autocommit: the use is recorded in a
    transaction of its own."""
    person = User.objects.create_user("reader@example.org", email="reader@example.org")
    client = ApiClient(person)
    assert client.get("no-such-thing/").status_code == 404
    assert client.get("schemes/").status_code == 403
    assert AuditEvent.objects.filter(action="api_token.use").count() == 1


def test_json_nested_beyond_reading_is_a_400(world: World) -> None:
    officer = ApiClient(world.users["officer"])
    body = "[" * 100_000 + "]" * 100_000
    response = officer.client.put(
        f"/api/v1/schemes/{world.scheme.slug}/principles/1/",
        body,
        content_type="application/json",
        headers=officer.headers,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON is nested too deeply to read."


@pytest.mark.parametrize("value", ["²", "١", "1" * 11])
def test_a_page_number_in_other_digits_is_a_400(world: World, value: str) -> None:
    response = ApiClient(world.users["officer"]).get("schemes/", {"page": value})
    assert response.status_code == 400
