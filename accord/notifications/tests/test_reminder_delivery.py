"""One address that the mail server refuses costs only that person's digest, never the run."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from accord.core.outbox import OutboxMessage, OutboxStatus
from accord.enrolments.process import State
from accord.membership.models import Cycle
from accord.notifications.reminders import send_reminders
from tests.mail_backends import RefusingBackend
from tests.world import World


@pytest.fixture
def refusing_server(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "refused", {})
    return RefusingBackend.refused


def test_a_refused_address_does_not_stop_the_others_getting_their_digest(
    world: World, refusing_server, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    enrolment = world.enrolment(State.LISTED)
    due = Cycle.objects.get(enrolment=enrolment).ends_on
    deliver_outbox()  # the joining steps' own e-mails
    already = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
    refusing_server["employer@example.org"] = 550
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime.combine(due, datetime.time(7, 0)), tick=False):
        send_reminders()
        deliver_outbox()
    # The review falls due for the secretary, the employer's contact and the workplace rep.
    assert sorted(m.to[0] for m in mail.outbox) == ["rep@example.org", "secretary@example.org"]
    digests = OutboxMessage.objects.filter(pk__gt=already)
    refused = digests.get(to="employer@example.org")
    assert refused.status == OutboxStatus.FAILED
    assert "Refused by the test server" in refused.last_error
    assert digests.filter(status=OutboxStatus.SENT).count() == 2
