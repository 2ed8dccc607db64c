"""The failed e-mails page: national officers only; the retry button sends the message again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accord.core import outbox
from accord.core.outbox import OutboxMessage, OutboxStatus
from tests.world import PASSWORD, World


def _client(who: str) -> Client:
    client = Client()
    client.login(username=f"{who}@example.org", password=PASSWORD)
    return client


@pytest.fixture
def failed(world: World) -> OutboxMessage:
    with transaction.atomic():
        message = outbox.queue(to="gone@example.org", subject="Waiting for you", body="Hello")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 No such user"
    )
    return message


def test_national_officers_see_failed_emails_and_others_may_not(failed: OutboxMessage) -> None:
    page = _client("officer").get(reverse("outbox"))
    assert page.status_code == 200
    assert "gone@example.org" in page.content.decode()
    assert "550 No such user" in page.content.decode()
    for who in ("secretary", "nem", "employer", "auditor", "rep"):
        assert _client(who).get(reverse("outbox")).status_code == 403, who
        retry = _client(who).post(reverse("outbox-retry", args=[failed.pk]))
        assert retry.status_code == 403, who
    anonymous = Client().get(reverse("outbox"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert Client().post(reverse("outbox-retry", args=[failed.pk])).status_code == 302
    assert OutboxMessage.objects.get(pk=failed.pk).status == OutboxStatus.FAILED


def test_an_officer_retries_a_failed_email(failed: OutboxMessage, deliver_outbox) -> None:  # type: ignore[no-untyped-def]
    response = _client("officer").post(reverse("outbox-retry", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("outbox")
    deliver_outbox()
    assert "gone@example.org" in [m.to[0] for m in mail.outbox]
    assert OutboxMessage.objects.get(pk=failed.pk).status == OutboxStatus.SENT
