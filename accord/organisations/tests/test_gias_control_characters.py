"""A GIAS row holding characters that cannot be stored is skipped, naming the column."""

from __future__ import annotations

from accord.organisations.gias import import_gias
from accord.organisations.models import Employer
from accord.organisations.tests.test_gias_import import gias_csv, row


def test_a_row_with_a_control_character_is_skipped_naming_the_column(db: None) -> None:
    report = import_gias(
        gias_csv(
            [
                row("100001", "Good School"),
                row("100002", "Bad\x00 School"),
                row("100003", "Odd School", Street="High \u202eStreet"),
            ],
            encoding="utf-8",
        )
    )
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "EstablishmentName contains characters that cannot be stored (U+0000)"),
        (4, "Street contains characters that cannot be stored (U+202E)"),
    ]
    assert list(Employer.objects.filter(urn__startswith="1000").values_list("name", flat=True)) == [
        "Good School"
    ]
