"""The word-level comparison of two wordings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from accord.schemes.wording import Piece, compare


def _side(pieces: list[Piece], kind: str) -> str:
    return "".join(p.text for p in pieces if p.kind in ("same", kind))


def test_an_added_phrase_is_one_added_piece() -> None:
    pieces = compare("pay for all employees;", "pay for all employees and outsourced workers;")
    assert pieces == [
        Piece("same", "pay for all employees "),
        Piece("added", "and outsourced workers"),
        Piece("same", ";"),
    ]


def test_changed_punctuation_is_shown_apart_from_its_word() -> None:
    pieces = compare("the living wage;*", "the living wage,* for contractors;")
    assert pieces == [
        Piece("same", "the living wage"),
        Piece("removed", ";*"),
        Piece("added", ",* for contractors;"),
    ]


def test_a_replaced_word_is_removed_then_added_and_the_rest_is_the_same() -> None:
    pieces = compare("a safe working environment", "a secure working environment")
    assert pieces == [
        Piece("same", "a "),
        Piece("removed", "safe "),
        Piece("added", "secure "),
        Piece("same", "working environment"),
    ]


def test_the_same_wording_has_no_changes() -> None:
    assert {p.kind for p in compare("one two", "one two")} == {"same"}


@given(st.text(max_size=80), st.text(max_size=80))
def test_each_side_of_the_comparison_reads_back_as_its_wording(before: str, after: str) -> None:
    pieces = compare(before, after)
    assert _side(pieces, "added") == after
    assert _side(pieces, "removed").split() == before.split()
