"""Run the e-mail worker: deliver the outbox for good, handing on what a dead worker left."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accord.core import outbox

# How often a running worker looks for stranded messages.
SWEEP_SECONDS = 60.0


class Command(BaseCommand):
    help = (
        "Deliver queued e-mail with django-tasks' database worker (db_worker). Every minute, "
        "and at start, it hands the worker any message whose task was lost or whose worker died."
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
        # db_worker in batch mode takes every task that is ready and returns; between its runs
        # the stranded messages are looked for, so a worker that died and came back at once
        # still hands on what it held once its lease has run out.
        next_sweep = 0.0
        while True:
            if time.monotonic() >= next_sweep:
                recovered = outbox.recover()
                if recovered:
                    self.stdout.write(f"Handed {recovered} stranded e-mail(s) to the worker.")
                next_sweep = time.monotonic() + SWEEP_SECONDS
            call_command(
                "db_worker",
                batch=True,
                interval=interval,
                reload=False,
                startup_delay=False,
                verbosity=options["verbosity"],
            )
            if batch:
                return
            time.sleep(interval)
