"""The chart module (accord/core/charts): every kind draws well-formed SVG named by its title and
description, carries the same figures as its table, draws a missing value as not shown, keeps
its bars in proportion, escapes what it is given, and uses nothing the CSP forbids."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from accord.core import charts
from accord.core.charts import svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\''


def _bar() -> charts.Chart:
    return charts.bar(
        title="Cases at each step",
        description="How many cases wait at each step of joining.",
        rows=[("Proposed", 12), ("Endorsed", 3), ("NEM cleared", None), ("Agreed", 0)],
        unit="cases",
        label_heading="Step",
    )


def _stacked() -> charts.Chart:
    return charts.stacked_bar(
        title="Plan status",
        description="Actions done, open and overdue in each plan.",
        categories=["Plan A", "Plan B"],
        series=[("Done", [3, 6]), ("Open", [4, None]), ("Overdue", [2, 1])],
        unit="actions",
        label_heading="Plan",
    )


def _columns() -> charts.Chart:
    return charts.columns(
        title="Cases entering and leaving",
        description="Cases entering and leaving the pipeline each month.",
        categories=["2025-01", "2025-02", "2025-03"],
        series=[("Entered", [8, 2, None]), ("Left", [4, 0, 1])],
        unit="cases",
        label_heading="Month",
    )


def _tiles() -> charts.Chart:
    return charts.tile_map(
        title="Members by region",
        description="Member employers in each region of the UK.",
        tiles=charts.uk_region_tiles(
            {"London": 37, "North West": 5, "Wales": None, "South East": 12}, default=0
        ),
        unit="members",
    )


def _timeline() -> charts.Chart:
    return charts.timeline(
        title="When actions are due",
        description="Each action's due date.",
        marks=[
            charts.Mark("1", datetime.date(2008, 10, 31), "overdue"),
            charts.Mark("2", datetime.date(2008, 12, 31), "done"),
        ],
        categories=["done", "overdue"],
        header=("Action", "Due", "Status"),
    )


def _grid() -> charts.Chart:
    return charts.grid(
        title="Progress",
        description="Principles by cycle.",
        row_labels=["1. Pay", "2. Voice"],
        column_labels=["Cycle 1 (2024)", "Cycle 2 (2025)"],
        cells=[
            [charts.GridCell(0, "Not yet"), charts.GridCell(2, "In place; met", "✔ met", True)],
            [None, charts.GridCell(1, "Partly; worked on", "● worked on", True)],
        ],
        levels=["Not yet", "Partly", "In place"],
        corner="Principle",
        strong_means="the cycle's principle",
        missing="not assessed",
    )


KINDS = [_bar, _stacked, _columns, _tiles, _timeline, _grid]


def _svg(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def _render(*found: charts.Chart) -> str:
    return Template("{% load charts %}{% for c in found %}{% chart c %}{% endfor %}").render(
        Context({"found": found})
    )


@pytest.mark.parametrize("make", KINDS)
def test_each_kind_is_well_formed_svg_named_by_its_title_and_description(make) -> None:
    chart = make()
    root = _svg(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", title_id, chart.title)
    assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", desc_id, chart.description)
    assert title_id == f"{chart.id}-title" and desc_id == f"{chart.id}-desc"


@pytest.mark.parametrize("make", KINDS)
def test_no_chart_uses_what_the_content_security_policy_forbids(make) -> None:
    root = _svg(make())
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not [a for a in element.attrib if a.lower().startswith("on")]
        assert not any(v.strip().lower().startswith("javascript:") for v in element.attrib.values())


def test_each_table_holds_the_figures_it_was_given() -> None:
    assert (_bar().header, _bar().rows) == (
        ["Step", "Cases"],
        [["Proposed", 12], ["Endorsed", 3], ["NEM cleared", None], ["Agreed", 0]],
    )
    assert (_stacked().header, _stacked().rows) == (
        ["Plan", "Done", "Open", "Overdue"],
        [["Plan A", 3, 4, 2], ["Plan B", 6, None, 1]],
    )
    assert (_columns().header, _columns().rows) == (
        ["Month", "Entered", "Left"],
        [["2025-01", 8, 4], ["2025-02", 2, 0], ["2025-03", None, 1]],
    )
    tiles = _tiles()
    assert tiles.header == ["Region", "Members"]
    # North to south, west to east; absent regions carry the default, Wales is not shown.
    assert tiles.rows == [
        ["Scotland", 0],
        ["Northern Ireland", 0],
        ["North East", 0],
        ["North West", 5],
        ["Yorkshire and the Humber", 0],
        ["Wales", None],
        ["West Midlands", 0],
        ["East Midlands", 0],
        ["East of England", 0],
        ["South West", 0],
        ["London", 37],
        ["South East", 12],
    ]
    assert (_timeline().header, _timeline().rows) == (
        ["Action", "Due", "Status"],
        [["1", "31 Oct 2008", "overdue"], ["2", "31 Dec 2008", "done"]],
    )
    assert (_grid().header, _grid().rows) == (
        ["Principle", "Cycle 1 (2024)", "Cycle 2 (2025)"],
        [["1. Pay", "Not yet", "In place; met"], ["2. Voice", None, "Partly; worked on"]],
    )


def _bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "chart__bar"]


def test_bars_are_in_proportion_to_their_values_and_none_has_no_bar() -> None:
    root = _svg(_bar())
    widths = {b.get("data-value"): float(b.get("width")) for b in _bars(root)}
    assert set(widths) == {"12", "3", "0"}  # no bar for the case not shown
    assert widths["12"] == pytest.approx(4 * widths["3"], rel=0.01)
    assert widths["0"] == 0
    drawn = list(root.itertext())
    assert "not shown" in drawn and "12" in drawn and "3" in drawn


def test_stacked_parts_are_in_proportion_and_a_missing_part_is_named_not_shown() -> None:
    root = _svg(_stacked())
    parts = [(b.get("fill"), float(b.get("width"))) for b in _bars(root)]
    # Plan A: 3, 4, 2; Plan B: 6 and 1, its open actions not shown.
    assert len(parts) == 5
    unit = parts[0][1] / 3
    assert [w / unit for _, w in parts] == pytest.approx([3, 4, 2, 6, 1], rel=0.01)
    assert parts[3][0] == parts[0][0] and parts[4][0] == parts[2][0]  # a series keeps its fill
    drawn = list(root.itertext())
    assert "9 in all" in drawn and "Open not shown" in drawn


def test_columns_rise_in_proportion_and_a_missing_value_is_a_hatched_mark() -> None:
    root = _svg(_columns())
    heights = {}
    for b in _bars(root):
        heights.setdefault(b.get("data-value"), float(b.get("height")))
    assert heights["8"] == pytest.approx(2 * heights["4"], rel=0.01)
    assert heights["8"] == pytest.approx(8 * heights["1"], rel=0.01)
    assert len(_bars(root)) == 4  # 8, 4, 2, 1; the zero has no height and None no column
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").endswith("-ns)")]
    assert len(hatched) == 2  # the mark on the base line and its key
    assert "not shown" in list(root.itertext())


def test_series_differ_by_pattern_not_only_by_colour_and_the_key_names_them() -> None:
    root = _svg(_stacked())
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")}
    fills = [b.get("fill") for b in _bars(root)][:3]
    drawn = [ET.tostring(patterns[f[len("url(#") : -1]]).decode().split(">", 1)[1] for f in fills]
    without_colour = [re.sub(r'fill="#[0-9a-f]{6}"', "", d, count=1) for d in drawn]
    assert len(set(without_colour)) == 3  # three different patterns, colour aside
    assert {"Done", "Open", "Overdue"} <= set(root.itertext())


def test_tiles_are_shaded_by_class_and_a_missing_one_is_hatched_and_says_not_shown() -> None:
    root = _svg(_tiles())
    tiles = {t.get("data-code"): t for t in root.iter(f"{SVG}rect") if t.get("data-code")}
    assert len(tiles) == 12
    # 37 is the largest: the scale runs to 50 in five classes of ten, 37 in the fourth.
    assert tiles["E12000007"].get("fill") == "#3182bd"
    assert tiles["E12000008"].get("fill") == "#bdd7e7"  # 12: the second class, 11 to 20
    assert tiles["E12000002"].get("fill") == "#eff3ff"  # 5: the first, 0 to 10
    assert tiles["W92000004"].get("fill").endswith("-ns)")
    drawn = list(root.itertext())
    assert {"0 to 10", "11 to 20", "31 to 40", "41 to 50", "not shown", "37"} <= set(drawn)


def test_hostile_labels_are_drawn_as_text_and_never_become_markup() -> None:
    chart = charts.bar(
        title=HOSTILE, description=HOSTILE, rows=[(HOSTILE, 1), ("ok\x01\u202e", 2)], unit="x"
    )
    root = _svg(chart)  # parses: control characters and overrides are not drawn
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", "script")]
    assert root[0].text == HOSTILE and root[1].text == HOSTILE
    assert "ok" in list(root.itertext())
    html = _render(chart)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)" in html or "&lt;script&gt;alert(&#x27;" in html


def test_a_hostile_id_or_colour_is_refused() -> None:
    with pytest.raises(ValueError):
        charts.bar(title="t", description="d", rows=[("a", 1)], unit="x", id='x" onload="y')
    with pytest.raises(ValueError):
        charts.timeline(
            title="t",
            description="d",
            marks=[charts.Mark("1", datetime.date(2025, 1, 1), "done")],
            categories=["done"],
            colours={"done": 'red" onload="y'},
        )


def test_series_may_be_given_their_colours_and_keep_their_patterns() -> None:
    chart = charts.stacked_bar(
        title="Plan status",
        description="d",
        categories=["Plan A"],
        series=[("Done", [3]), ("Open", [4]), ("Overdue", [2])],
        unit="actions",
        colours=["#009e73", "#0072b2", "#d55e00"],
    )
    root = _svg(chart)
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")}
    grounds = [patterns[b.get("fill")[5:-1]][0].get("fill") for b in _bars(root)]
    assert grounds == ["#009e73", "#0072b2", "#d55e00"]
    with pytest.raises(ValueError):
        charts.columns(
            title="t",
            description="d",
            categories=["a"],
            series=[("s", [1])],
            unit="x",
            colours=['#000" onload="x'],
        )


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "12"])
def test_a_value_that_cannot_be_drawn_as_a_length_is_refused(value) -> None:
    with pytest.raises(ValueError):
        charts.bar(title="t", description="d", rows=[("a", value)], unit="x")


def test_a_series_must_have_a_value_for_every_category() -> None:
    with pytest.raises(ValueError):
        charts.columns(
            title="t", description="d", categories=["a", "b"], series=[("s", [1])], unit="x"
        )


def test_the_figure_carries_the_picture_and_a_table_of_the_same_figures() -> None:
    html = _render(_bar())
    figure = ET.fromstring(html.strip())
    assert figure.tag == "figure"
    assert figure.find("figcaption").text == "Cases at each step"
    details = figure.find("details")
    assert details.find("summary").text
    region = details.find("div")
    assert (region.get("role"), region.get("tabindex")) == ("region", "0")
    table = region.find("table")
    assert table.find("caption").text == "Cases at each step"
    assert [(th.get("scope"), th.text) for th in table.find("thead").iter("th")] == [
        ("col", "Step"),
        ("col", "Cases"),
    ]
    body = [
        [(cell.tag, cell.get("scope"), cell.text) for cell in row] for row in table.find("tbody")
    ]
    assert body == [
        [("th", "row", "Proposed"), ("td", None, "12")],
        [("th", "row", "Endorsed"), ("td", None, "3")],
        [("th", "row", "NEM cleared"), ("td", None, "not shown")],
        [("th", "row", "Agreed"), ("td", None, "0")],
    ]


def test_ids_are_unique_when_several_charts_share_a_page() -> None:
    html = _render(*(make() for make in KINDS), _bar(), _bar())
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for labelled in re.findall(r'aria-labelledby="([^"]+)"', html):
        assert all(part in ids for part in labelled.split())


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_reaches_four_and_a_half_to_one_on_whatever_it_is_drawn_over() -> None:
    assert _contrast(svg.INK, "#ffffff") >= 4.5
    assert _contrast(svg.MUTED, "#ffffff") >= 4.5
    for fill, ink in svg.PALETTE + svg.SEQUENTIAL:
        assert _contrast(fill, ink) >= 4.5, (fill, ink)
    # Text on tiles uses the class's ink.
    root = _svg(_tiles())
    shades = dict(svg.SEQUENTIAL)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("data-code")]
    texts = [t.get("fill") for t in root.iter(f"{SVG}text") if t.get("font-size") == "15"]
    assert [shades[f] for f in fills if f in shades] == texts


def test_the_uk_tile_grid_has_the_twelve_regions_each_in_its_own_place() -> None:
    regions = charts.uk_regions()
    assert sorted(r["name"] for r in regions) == sorted(
        [
            "North East",
            "North West",
            "Yorkshire and the Humber",
            "East Midlands",
            "West Midlands",
            "East of England",
            "London",
            "South East",
            "South West",
            "Wales",
            "Scotland",
            "Northern Ireland",
        ]
    )
    assert len({(r["column"], r["row"]) for r in regions}) == 12
    assert charts.region_code("London") == "E12000007"
    assert charts.region_code("yorkshire & the humber") == "E12000003"
    assert charts.region_code("Wales (pseudo)") == "W92000004"  # as GIAS names it
    assert charts.region_code("Atlantis") is None


def test_figures_for_an_unknown_region_are_refused_rather_than_dropped() -> None:
    with pytest.raises(ValueError):
        charts.uk_region_tiles({"Atlantis": 3})
    tiles = {t.code: t.value for t in charts.uk_region_tiles({"London": 4})}
    assert tiles["E12000007"] == 4 and tiles["S92000003"] is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.bar(title="t", description="d", rows=[], unit="x"),
        lambda: charts.stacked_bar(title="t", description="d", categories=[], series=[], unit="x"),
        lambda: charts.columns(title="t", description="d", categories=[], series=[], unit="x"),
        lambda: charts.tile_map(title="t", description="d", tiles=[], unit="x"),
        lambda: charts.timeline(title="t", description="d", marks=[], categories=[]),
        lambda: charts.grid(
            title="t", description="d", row_labels=[], column_labels=[], cells=[], levels=[]
        ),
    ],
)
def test_a_chart_with_no_figures_is_still_a_named_picture_with_an_empty_table(make) -> None:
    chart = make()
    assert _svg(chart).get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert chart.rows == []
