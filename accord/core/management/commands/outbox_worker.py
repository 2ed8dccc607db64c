"""Run the e-mail worker: recover what a dead worker left, then deliver the outbox for good."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accord.core import outbox


class Command(BaseCommand):
    help = (
        "Deliver queued e-mail. Hands the worker every message whose task was lost or whose "
        "worker died, then runs django-tasks' database worker (db_worker) on the default queue."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Deliver what is due now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between looks at an empty queue (default: 1).",
        )

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        recovered = outbox.recover()
        if recovered:
            self.stdout.write(f"Handed {recovered} stranded e-mail(s) to the worker.")
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            reload=False,
            startup_delay=False,
            verbosity=options["verbosity"],
        )
