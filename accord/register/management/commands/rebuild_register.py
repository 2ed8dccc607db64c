"""Rewrite every row of the public register from the records it shows, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accord.register import entries


class Command(BaseCommand):
    help = (
        "Rewrite the public register's rows from memberships, employers, areas and reviews "
        "(they are kept up to date on change; run this after loading data around the services)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = entries.rebuild()
        self.stdout.write(f"The register has {count} rows.")
