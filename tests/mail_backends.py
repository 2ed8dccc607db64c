"""E-mail backends for tests: one that refuses chosen addresses, one that records to a file."""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusingBackend(LocmemBackend):
    """Like the test backend (mail.outbox), but the mail server refuses some addresses.

    `refused` maps an address to the SMTP reply code: 5xx for "no such mailbox", 4xx for
    "try again later".
    """

    refused: dict[str, int] = {}

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            codes = {to: self.refused[to] for to in message.to if to in self.refused}
            if codes:
                raise smtplib.SMTPRecipientsRefused(
                    {to: (code, b"Refused by the test server") for to, code in codes.items()}
                )
        return super().send_messages(messages)


class RecordingBackend:
    """Appends each delivered message's Message-ID to the file named by
    ACCORD_TEST_DELIVERY_LOG. A message whose subject is ACCORD_TEST_HANG_ON hangs instead,
    after touching ACCORD_TEST_DELIVERY_LOG + ".hanging", like a mail server that stops
    answering before it accepts the message."""

    def __init__(self, fail_silently: bool = False, **kwargs: object) -> None:
        self.log = Path(os.environ["ACCORD_TEST_DELIVERY_LOG"])
        self.hang_on = os.environ.get("ACCORD_TEST_HANG_ON")

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if message.subject == self.hang_on:
                Path(f"{self.log}.hanging").touch()
                while True:
                    time.sleep(1)
            with self.log.open("a") as log:
                log.write(f"{message.extra_headers['Message-ID']}\n")
                log.flush()
                os.fsync(log.fileno())
        return len(messages)
