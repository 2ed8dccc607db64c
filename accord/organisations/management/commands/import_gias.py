"""Import employers from a GIAS establishment CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.organisations.gias import GiasFileError, import_gias


class Command(BaseCommand):
    help = "Import or update employers from a DfE 'Get Information About Schools' CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as stream:  # read as a stream, never whole
                report = import_gias(stream)
        except GiasFileError as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(f"line {problem.line}: skipped: {problem.reason}")
        self.stdout.write(report.summary())
