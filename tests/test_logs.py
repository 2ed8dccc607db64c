"""The application's logs hold no personal data or secret: through a failed sign-in (a known and
an unknown address), a sign-in, an invitation sent, refused once by the mail server and then
accepted through its link, and page views, what the configured log handler writes names
people by id only, and never shows an e-mail address, a name or the invitation's token.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import User
from accord.core.logs import redact
from accord.core.outbox import OutboxMessage, OutboxStatus
from tests.mail_backends import RefusingBackend
from tests.world import PASSWORD, World

NEW_EMAIL = "winifred.quartermaine@example.org"
NEW_NAME = "Winifred Quartermaine"
NEW_PASSWORD = "a-long-and-unusual-phrase"


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the configured console handler writes (its own filters and format), at every
    level."""
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if h.get_name() == "console"]
    buffer = io.StringIO()
    stream = handler.setStream(buffer)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.setLevel(level)
        handler.setStream(stream)


def test_a_sign_in_an_invitation_and_pages_log_ids_never_addresses_names_or_tokens(
    world: World,
    written: io.StringIO,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
    deliver_outbox: Callable[[], dict[str, int]],
) -> None:
    secretary = world.users["secretary"]
    visitor = Client()
    login = reverse("account_login")
    visitor.post(login, {"login": secretary.email, "password": "not-the-password"})
    visitor.post(login, {"login": "nobody.here@example.org", "password": "not-the-password"})
    signed_in = visitor.post(login, {"login": secretary.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    visitor.get(reverse("tasks"))
    visitor.get(reverse("people"))
    visitor.get("/no-such-page/?email=" + secretary.email)

    # The invitation: the first delivery is refused by the mail server, the second goes.
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "refused", {NEW_EMAIL: 451})
    with django_capture_on_commit_callbacks(execute=True):
        invited = visitor.post(
            reverse("people-invite"),
            {
                "email": NEW_EMAIL,
                "full_name": NEW_NAME,
                "role": "workplace_rep",
                "union": world.unions["NASUWT"].pk,
                "employer": world.employer.pk,
            },
        )
    assert invited.status_code == 302, invited.content.decode()
    deliver_outbox()
    monkeypatch.setattr(RefusingBackend, "refused", {})
    delivered = _deliver_after_retry(deliver_outbox)
    [message] = [m for m in delivered if "invited" in m.subject]
    link = re.search(r"https?://\S+/invitations/(\S+)/", message.body)
    assert link is not None
    path, token = "/" + link.group(0).split("/", 3)[3], link.group(1)
    newcomer = Client()
    newcomer.get(path)
    accepted = newcomer.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert accepted.status_code == 302
    newcomer.get(reverse("tasks"))

    log = written.getvalue()
    person = User.objects.get(email=NEW_EMAIL)
    # Requests are logged, with the signed-in person's id.
    assert re.search(rf"user={secretary.pk} GET /tasks/ 200 ", log), log
    assert re.search(rf"user={person.pk} GET /tasks/ 200 ", log), log
    assert re.search(r"user=- POST /accounts/login/ 200 ", log), log
    assert re.search(rf"WARNING django.request user={secretary.pk} Not Found", log), log
    assert "/invitations/[token]/" in log
    assert "E-mail" in log and "failed" in log  # the refused delivery was logged
    for secret in (
        secretary.email,
        secretary.full_name,
        "nobody.here@example.org",
        NEW_EMAIL,
        NEW_NAME,
        token,
        "@example.org",
    ):
        assert secret not in log, secret


def _deliver_after_retry(deliver_outbox: Callable[[], dict[str, int]]) -> list[Any]:
    """Deliver again, the refused message's retry made due now."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())
    deliver_outbox()
    return list(mail.outbox)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail to Jo.Bloggs+x@school.sch.uk failed", "mail to [e-mail] failed"),
        ("GET /invitations/abc123/ 200", "GET /invitations/[token]/ 200"),
        ("GET /calendar/Zx9_tok-en.ics 200", "GET /calendar/[token] 200"),
        (
            "GET /accounts/password/reset/key/3-abc-def/ 200",
            "GET /accounts/password/reset/key/[token]/ 200",
        ),
        ("GET /search/?email=jo&page=2", "GET /search/?email=[removed]&page=2"),
        ("GET /enrolments/42/ 200 18ms", "GET /enrolments/42/ 200 18ms"),
    ],
)
def test_redaction_masks_addresses_and_tokens_and_keeps_the_rest(text: str, expected: str) -> None:
    assert redact(text) == expected
