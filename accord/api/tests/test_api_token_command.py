"""`manage.py api_token`: a token for scripts and the demo, printed once, working at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.api.models import ApiToken
from accord.core.models import AuditEvent
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db


def test_the_printed_secret_works_and_is_not_stored(world: World) -> None:
    out = StringIO()
    call_command("api_token", "OFFICER@example.org", "--name", "Reports", "--days", "7", stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only) == (world.users["officer"], "Reports", False)
    assert secret.startswith("acc_") and secret not in (token.digest, token.prefix)
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1
    client = ApiClient()
    response = client.get("schemes/", Authorization=f"Bearer {secret}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nobody@example.org"], "No active person"),
        (["officer@example.org", "--days", "0"], "between 1 and 366"),
        (["officer@example.org", "--days", "400"], "between 1 and 366"),
        (["officer@example.org", "--name", "\x07"], "must not be empty"),
    ],
)
def test_bad_arguments_are_refused(world: World, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("api_token", *arguments, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_a_deactivated_person_gets_none(world: World) -> None:
    world.users["rep"].is_active = False
    world.users["rep"].save()
    with pytest.raises(CommandError, match="No active person"):
        call_command("api_token", "rep@example.org", stdout=StringIO())
