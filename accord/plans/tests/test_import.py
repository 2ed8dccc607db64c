"""Importing the seed plan: refused while a problem remains, then saved with the person's
correction, keeping every cell's original text."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.actions.models import Action
from accord.core.models import AuditEvent
from accord.plans import services
from accord.plans.models import Commitment, Plan
from tests.world import World

SEED = Path(__file__).resolve().parents[1] / "data" / "government-skills-2008.txt"
FIX_ZERO = services.Correction(31, "Action Number", "2")


def test_the_seed_is_not_imported_while_its_problem_remains(world: World) -> None:
    with pytest.raises(services.PlanImportError) as error:
        services.create_plan(SEED.read_text(), actor=world.users["officer"], source_name=SEED.name)
    assert [(p.line, p.column) for p in error.value.problems] == [(31, "Action Number")]
    assert not Plan.objects.exists() and not Action.objects.exists()


def test_the_seed_imports_with_the_correction_a_person_makes(world: World) -> None:
    text = SEED.read_text()
    plan = services.create_plan(
        text, actor=world.users["officer"], source_name=SEED.name, corrections=[FIX_ZERO]
    )
    assert plan.title == "Government Skills Trade Union Action Plan"
    assert plan.adopted_on == datetime.date(2008, 7, 1) and plan.date_wording == "July 2008"
    assert plan.source_text == text
    assert [p.name for p in plan.parties.all()] == ["Government Skills", "Trade Union side"]
    assert plan.purposes.count() == 4
    assert plan.themes.count() == 8
    assert Commitment.objects.filter(theme__plan=plan).count() == 26
    both = Commitment.objects.get(theme__plan=plan, text__startswith="All policies developed")
    assert sorted(p.name for p in both.parties.all()) == ["Government Skills", "Trade Union side"]
    actions = list(plan.actions.order_by("number"))
    assert [(a.number, a.owner_party.name, a.due_on, a.due_wording) for a in actions] == [
        (1, "Government Skills", datetime.date(2008, 10, 31), "End October 2008"),
        (2, "Trade Union side", datetime.date(2008, 11, 30), "End November 2008"),
        (3, "Government Skills", datetime.date(2008, 11, 30), "End November 2008"),
        (4, "Trade Union side", datetime.date(2008, 12, 31), "End 2008"),
    ]
    assert actions[1].source["Action Number"] == {"line": 31, "text": "2", "original": "0"}
    event = AuditEvent.objects.get(action="plan.import")
    assert event.changes["corrected line 31, Action Number"] == ["0", "2"]
    assert "across a page break" in event.note


def test_a_correction_of_a_cell_that_is_not_there_is_refused(world: World) -> None:
    with pytest.raises(services.PlanImportError, match="Line 3 has no Action Owner cell"):
        services.create_plan(
            SEED.read_text(),
            actor=world.users["officer"],
            source_name=SEED.name,
            corrections=[services.Correction(3, "Action Owner", "x")],
        )


def test_the_command_reports_and_refuses_then_imports(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="correct the problems"):
        call_command("import_plan", str(SEED), "--as", "officer@example.org")
    err = capsys.readouterr().err
    assert "problem: line 31, Action Number: 0 is not a positive action number" in err
    with pytest.raises(CommandError, match="--accept-warnings"):
        call_command(
            "import_plan",
            str(SEED),
            "--as",
            "officer@example.org",
            "--correct",
            "31:Action Number=2",
        )
    call_command(
        "import_plan",
        str(SEED),
        "--as",
        "officer@example.org",
        "--correct",
        "31:Action Number=2",
        "--accept-warnings",
    )
    assert "Imported as plan" in capsys.readouterr().out
    assert Plan.objects.count() == 1
    with pytest.raises(CommandError, match="No user"):
        call_command("import_plan", str(SEED), "--as", "nobody@example.org")
