"""Make an API token for a person from the command line (for scripts and the demo); the secret
is printed once. People make their own on their tokens page (/accounts/tokens/)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accord.accounts.models import User
from accord.api import tokens
from accord.core.errors import DomainError
from accord.core.text import clean_text


class Command(BaseCommand):
    help = "Make an API token for the person with this e-mail address and print its secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The e-mail address the person signs in with.")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=30, help="How long it lasts (1 to 366).")
        parser.add_argument("--read-only", action="store_true", help="It may only read.")

    def handle(
        self, *args: Any, email: str, name: str, days: int, read_only: bool, **options: Any
    ) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active person signs in as {email!r}.")
        name = clean_text(name, multiline=False).strip()[:100]
        if not name:
            raise CommandError("--name must not be empty.")
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366.")
        try:
            _, secret = tokens.issue(
                user,
                name=name,
                expires_at=timezone.now() + datetime.timedelta(days=days),
                read_only=read_only,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
