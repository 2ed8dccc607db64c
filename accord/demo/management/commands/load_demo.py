"""Load the demo data (once) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import override_settings

from accord.core import outbox
from accord.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_WITHOUT_APP, load_demo, logins


class Command(BaseCommand):
    help = "Create demo areas, employers, enrolments and a user per role; print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's enrolments are moved along through the real services, which queue e-mails
        # to the people each step waits for; nobody needs those on the console, so they are
        # delivered here, to memory, before the worker sees them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            loaded = load_demo()
            outbox.deliver_due()
        if loaded:
            self.stdout.write("Demo data loaded.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins():
            self.stdout.write(f"  {login.email:<32} {login.role} — {login.scope}")
        self.stdout.write(
            "\nUnion people and the auditor then enter a code from an authenticator app on the "
            f"demo key {DEMO_TOTP_SECRET}\n(add it to any authenticator app, or run "
            "`.venv/bin/python manage.py demo_code` for the current code);\n"
            f"{DEMO_WITHOUT_APP} has none yet and is asked to set one up.\n"
        )
        self.stdout.write(f"\nOpen {settings.SITE_URL}/ and sign in.\n")
