"""Load the built-in schemes (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accord.schemes.loader import load_builtin_scheme


class Command(BaseCommand):
    help = "Create the built-in Valued Worker Scheme, its unions and principles if missing."

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = load_builtin_scheme("vws")
        self.stdout.write(f"{scheme.name}: {scheme.principles.count()} principles.")
