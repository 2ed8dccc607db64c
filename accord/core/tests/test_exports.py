"""The export helper: spreadsheet cells that would start a formula come out as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from accord.core import exports

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_starts_a_formula_is_quoted(value: str) -> None:
    assert exports.safe_cell(value) == "'" + value


def test_real_numbers_stay_numbers_and_plain_text_is_unchanged() -> None:
    assert exports.safe_cell(-5) == -5
    assert exports.safe_cell(-2.5) == -2.5
    assert exports.safe_cell("-5") == "'-5"
    assert exports.safe_cell("Agree the plan") == "Agree the plan"
    assert exports.safe_cell(None) is None


def test_control_characters_from_old_data_are_removed() -> None:
    assert exports.safe_cell("Started\x01 \u202eeno") == "Started eno"


@pytest.mark.parametrize("hidden", ["\x00=cmd|' /C calc'!A0", "\x01=HYPERLINK(1)", "\u202e=1+2"])
def test_a_formula_behind_a_control_character_from_old_data_is_still_quoted(hidden: str) -> None:
    assert exports.safe_cell(hidden).startswith("'=")


def test_a_csv_export_quotes_every_formula_cell() -> None:
    text = exports.csv_text(["a", "b"], [["=1+1", -3], ["ok", "@x"]])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+1", "-3"], ["ok", "'@x"]]


def test_an_xlsx_export_writes_no_formula_cells() -> None:
    data = exports.xlsx_bytes("Sheet", ["a", "b"], [["=1+1", -3], ["\x01x", "@x"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [c.value for c in cells] == ["a", "b", "'=1+1", -3, "x", "'@x"]
    assert {c.data_type for c in cells} == {"s", "n"}
