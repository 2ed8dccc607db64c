"""Reading a plan document laid out like the Government Skills plan (the seed)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.plans.document import aliases, fragments, parse, responsible_parties

# The 2008 Government Skills plan, as it came (it ships as demo data).
SEED = Path(__file__).resolve().parents[1] / "data" / "government-skills-2008.txt"


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


def test_the_seed_plan_reads_as_a_careful_reader_would(seed: str) -> None:
    plan = parse(seed)
    assert plan.title == "Government Skills Trade Union Action Plan"
    assert (plan.date_wording, plan.adopted_on) == ("July 2008", datetime.date(2008, 7, 1))
    assert len(plan.purposes) == 4
    assert plan.purposes[0].startswith("It sets out a commitment to joint working")
    assert plan.parties == ["Government Skills", "Trade Union side"]
    assert [t.title for t in plan.themes] == [
        "Commitment to working with trade unions",
        "Cooperation in delivery of Sector Skills Strategy",
        "Working together to improve the quality of training and development",
        "Working together to promote create demand for training and learning",
        "Promoting awareness of Government Skills' work with employers and employees",
        "Relating to other Sector Skills Councils",
        "Working together to address Equality and Diversity issues",
        "Workplan, timescales and review",
    ]
    assert [len(t.commitments) for t in plan.themes] == [6, 5, 3, 4, 2, 1, 4, 1]
    demand = plan.themes[3].commitments
    assert demand[2].text == (
        "The trade unions, through their network of ULRs and through other promotional "
        "methods, will raise awareness of the importance of workplace learning and encourage "
        "members to take up learning opportunities."
    )
    assert [s.line for s in demand[2].sources] == [19, 21]  # across the page break
    assert demand[3].text.startswith("The trade unions will provide feedback")
    every = [c for t in plan.themes for c in t.commitments]
    assert all(c.parties for c in every)
    assert all("<" not in c.text and "&" not in c.text for c in every)
    assert [(a.number, a.owner, a.due_wording, a.due_on) for a in plan.actions] == [
        (1, "Government Skills", "End October 2008", datetime.date(2008, 10, 31)),
        (0, "Trade Union side", "End November 2008", datetime.date(2008, 11, 30)),
        (3, "Government Skills", "End November 2008", datetime.date(2008, 11, 30)),
        (4, "Trade Union side", "End 2008", datetime.date(2008, 12, 31)),
    ]
    assert [(p.line, p.column, p.message) for p in plan.problems] == [
        (
            31,
            "Action Number",
            "0 is not a positive action number. The workplan runs 1, 3, 4: it is probably 2.",
        ),
    ]


def test_the_original_text_of_every_cell_is_kept(seed: str) -> None:
    plan = parse(seed)
    lines = seed.splitlines()
    for theme in plan.themes:
        assert theme.source.text in lines[theme.source.line - 1]
        for commitment in theme.commitments:
            for source in commitment.sources:
                assert source.text in lines[source.line - 1]
    zero = plan.actions[1]
    assert zero.sources["Action Number"].text == "0"
    assert zero.sources["Action By date"].text == "End November 2008"


def test_the_repairs_are_listed_not_hidden(seed: str) -> None:
    repairs = [(r.line, r.column, r.message) for r in parse(seed).repairs]
    assert (17, "Issue", "The issue was wrapped in HTML tags; the tags were removed.") in repairs
    assert any(line == 21 and "across a page break" in message for line, _, message in repairs)
    assert any(
        line == 21 and "sentence split across rows" in message for line, _, message in repairs
    )
    assert any(line == 24 and "names no party" in message for line, _, message in repairs)


WORKPLAN = "Action Number\tAction Detail\tAction Owner\tAction By date\n"
HEAD = (
    "A plan\n\nMarch 2025\n\n1. A purpose\n\nIssue\tAction\nTheme\t<p>The Council will act.</p>\n\n"
)


def test_workplan_problems_are_reported_by_line_and_column() -> None:
    text = (
        HEAD
        + WORKPLAN
        + (
            "1\tFirst\tThe Council\t31/07/2025\n"
            "1\tAgain\tThe Council\tEnd July 2025\n"
            "x\tNo number\tThe Council\t31/07/2025\n"
            "2\tOwned by a stranger\tSomebody else\t31/07/2025\n"
            "3\tBad date\tThe Council\t31/02/2025\n"
            "4\tToo few cells\n"
        )
    )
    plan = parse(text, parties=["The Council", "The unions"])
    assert [(p.line, p.column) for p in plan.problems] == [
        (12, "Action Number"),
        (13, "Action Number"),
        (14, "Action Owner"),
        (15, "Action By date"),
        (16, "row"),
    ]
    assert "appears again (first on line 11)" in plan.problems[0].message
    assert "is not one of the plan's parties" in plan.problems[2].message
    assert "is not a real date" in plan.problems[3].message
    assert plan.actions[0].due_on == datetime.date(2025, 7, 31)


def test_entities_and_nested_tags_are_decoded() -> None:
    assert fragments("<p>Pay &amp; conditions&nbsp;&#8211; <b>all</b> staff</p><p>Next</p>") == [
        "Pay & conditions – all staff",
        "Next",
    ]


def test_the_party_named_first_is_responsible_with_one_joined_by_and() -> None:
    known = aliases(["Government Skills", "Trade Union side"])
    assert responsible_parties("GS and the trade unions will act", known) == [
        "Government Skills",
        "Trade Union side",
    ]
    assert responsible_parties(
        "The trade unions will provide Government Skills with data", known
    ) == ["Trade Union side"]
    assert responsible_parties("TUS to circulate", known) == ["Trade Union side"]
    assert responsible_parties("Nobody in particular", known) == []


LINES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "Issue\tAction",
            WORKPLAN.strip(),
            "",
            "\t",
            "<p>",
            "</p>",
            "0\t\t\t",
            "Workplan and action responsibilities",
            "1. A purpose",
            "End 2008",
        ]
    ),
    st.builds(lambda a, b: f"{a}\t{b}", st.text(max_size=30), st.text(max_size=30)),
    st.builds(
        lambda n, d, o, w: f"{n}\t{d}\t{o}\t{w}",
        st.integers(-3, 5).map(str),
        st.text(max_size=20),
        st.sampled_from(["Government Skills", "X", ""]),
        st.sampled_from(["End 2008", "31/02/2025", "soon", ""]),
    ),
)


@given(st.lists(LINES, max_size=25))
@settings(max_examples=300, deadline=None)
def test_any_document_reads_or_reports_problems_by_line_never_crashes(lines: list[str]) -> None:
    text = "\n".join(lines)
    plan = parse(text)
    count = max(1, len(text.splitlines()))
    for note in [*plan.problems, *plan.repairs]:
        assert 1 <= note.line <= count + 1 and note.column and note.message


def test_a_misspelt_owner_is_reported_not_taken_as_a_new_party() -> None:
    text = (
        HEAD
        + WORKPLAN
        + (
            "1\tFirst\tThe Council\t31/07/2025\n"
            "2\tSecond\tThe Council\t31/08/2025\n"
            "3\tThird\tThe Counsil\t30/09/2025\n"
            "4\tFourth\tThe unions\t30/09/2025\n"
        )
    )
    plan = parse(text)
    assert plan.parties == ["The Council", "The unions"]
    assert [(p.line, p.column) for p in plan.problems] == [(13, "Action Owner")]
    assert "Did you mean “The Council”?" in plan.problems[0].message
