"""The tile grid of the United Kingdom's regions, shipped as data beside this module, and the
tiles of a tile map made from figures keyed by region name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from .base import Value
from .maps import Tile

DATA = Path(__file__).with_name("uk_region_tiles.json")


@cache
def uk_regions() -> tuple[dict[str, Any], ...]:
    """The twelve regions: code, name, short name, column, row and other spellings."""
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["tiles"])


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("&", "and").split())


@cache
def _by_name() -> dict[str, dict[str, Any]]:
    found = {}
    for region in uk_regions():
        for name in (region["name"], *region["aliases"]):
            found[_key(name)] = region
    return found


def region_code(name: str) -> str | None:
    """The ONS code of the region called `name` (a Region's name, in any case), or None."""
    region = _by_name().get(_key(name))
    return region["code"] if region else None


def uk_region_tiles(values: Mapping[str, Value], *, default: Value = None) -> list[Tile]:
    """A tile for each of the twelve regions carrying its figure from `values`, keyed by
    region name as a Region holds it; a region missing from `values` has `default` (None:
    not shown). A name that is no UK region raises ValueError, so no figure goes missing."""
    figures: dict[str, Value] = {}
    for name, value in values.items():
        region = _by_name().get(_key(name))
        if region is None:
            raise ValueError(f"{name!r} is not a region of the UK tile map.")
        figures[region["code"]] = value
    return [
        Tile(
            code=r["code"],
            label=r["name"],
            column=r["column"],
            row=r["row"],
            value=figures.get(r["code"], default),
            short=r["short"],
        )
        for r in uk_regions()
    ]
