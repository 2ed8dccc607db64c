"""Print the current sign-in code for the demo's authenticator key (demo data only)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand
from django.utils import timezone

from accord.demo.data import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the code an authenticator app on the demo key shows now (demo logins only)."

    def handle(self, *args: Any, **options: Any) -> None:
        counter = int(timezone.now().timestamp()) // 30
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
