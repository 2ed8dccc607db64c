"""A step whose e-mail cannot be sent is still taken: the e-mail waits in the outbox."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.core.outbox import OutboxMessage, OutboxStatus
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.mail_backends import RefusingBackend
from tests.world import PASSWORD, World


def test_a_step_whose_email_fails_is_committed_and_answers_302(
    world: World, settings, monkeypatch, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    # 451: the NEM's mail server is having a bad day; it may work later.
    monkeypatch.setattr(RefusingBackend, "refused", {"nem@example.org": 451})
    enrolment = world.enrolment(State.PROPOSED)
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enrolment-step", args=[enrolment.pk, "endorse"]), {"note": "Good employer"}
        )
        deliver_outbox()
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.ENDORSED
    assert mail.outbox == []
    message = OutboxMessage.objects.get(to="nem@example.org")
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1 and "451" in message.last_error
    assert message.next_attempt_at > message.created_at

    # The server recovers: the retry delivers it.
    RefusingBackend.refused.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["nem@example.org"]]
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT


def test_a_step_whose_email_is_refused_for_good_is_shown_as_failed(
    world: World, settings, monkeypatch, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "refused", {"nem@example.org": 550})
    enrolment = world.enrolment(State.PROPOSED)
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment-step", args=[enrolment.pk, "endorse"]), {})
        deliver_outbox()
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.ENDORSED
    assert OutboxMessage.objects.get(to="nem@example.org").status == OutboxStatus.FAILED
