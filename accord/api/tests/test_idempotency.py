"""Idempotency-Key on creating POSTs (accord/api/idempotency.py), on a view of this test's own
that counts what it makes."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accord.accounts.models import User
from accord.api.idempotency import idempotent
from accord.api.models import IdempotentRequest

pytestmark = pytest.mark.django_db


class Maker(APIView):
    made: list[Any] = []

    @idempotent
    def post(self, request: Request) -> Response:
        if request.data.get("refuse"):
            return Response({"detail": "no"}, status=400)
        Maker.made.append(request.data)
        number = len(Maker.made)
        return Response({"number": number}, status=201, headers={"Location": f"/made/{number}/"})


@pytest.fixture
def send(django_user_model):  # type: ignore[no-untyped-def]
    Maker.made = []
    people = {
        name: User.objects.create_user(f"{name}@example.org", email=f"{name}@example.org")
        for name in ("ann", "bob")
    }

    def send(body: dict[str, Any], key: str | None = None, *, who: str = "ann") -> Response:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        request = APIRequestFactory().post("/made/", body, format="json", **headers)
        force_authenticate(request, user=people[who])
        return Maker.as_view()(request)

    return send


def test_the_same_key_makes_one_thing_and_answers_the_same(send) -> None:  # type: ignore[no-untyped-def]
    first = send({"name": "a"}, "k-1")
    again = send({"name": "a"}, "k-1")
    assert len(Maker.made) == 1
    assert (first.status_code, first.data) == (201, {"number": 1})
    assert (again.status_code, again.data) == (201, {"number": 1})
    assert again["Location"] == "/made/1/"
    assert again["Idempotent-Replayed"] == "true"


def test_without_a_key_each_post_makes_one(send) -> None:  # type: ignore[no-untyped-def]
    send({"name": "a"})
    send({"name": "a"})
    assert len(Maker.made) == 2


def test_a_key_is_each_persons_own(send) -> None:  # type: ignore[no-untyped-def]
    send({"name": "a"}, "shared")
    send({"name": "a"}, "shared", who="bob")
    assert len(Maker.made) == 2


def test_the_same_key_with_another_body_is_refused(send) -> None:  # type: ignore[no-untyped-def]
    send({"name": "a"}, "k-2")
    other = send({"name": "b"}, "k-2")
    assert other.status_code == 422
    assert "another request" in other.data["detail"]
    assert len(Maker.made) == 1


def test_a_refusal_is_not_kept_so_the_key_can_be_used_again(send) -> None:  # type: ignore[no-untyped-def]
    assert send({"refuse": True}, "k-3").status_code == 400
    assert not IdempotentRequest.objects.exists()
    assert send({"refuse": True}, "k-3").status_code == 400


def test_a_key_still_being_answered_is_a_conflict(send) -> None:  # type: ignore[no-untyped-def]
    send({"name": "a"}, "k-4")
    IdempotentRequest.objects.filter(key="k-4").update(status=None)
    assert send({"name": "a"}, "k-4").status_code == 409


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_refused(send, key: str) -> None:  # type: ignore[no-untyped-def]
    response = send({"name": "a"}, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data["errors"]
    assert not Maker.made


def test_kept_answers_are_dropped_after_a_day(send) -> None:  # type: ignore[no-untyped-def]
    send({"name": "old"}, "old")
    send({"name": "new"}, "new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    out = StringIO()
    call_command("prune_api_requests", stdout=out)
    assert out.getvalue() == "Dropped 1 kept API answers.\n"
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
