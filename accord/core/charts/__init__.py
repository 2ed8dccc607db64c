"""Every chart of the site: server-drawn SVG pictures, each with a title, a description and
the same figures as a table, rendered by the `{% chart %}` tag (templatetags/charts.py).

Why our own small module rather than pygal or matplotlib: the Content-Security-Policy forbids
inline styles, and both write them (pygal a <style> element and scripts, matplotlib a `style`
attribute on every shape, and text as paths that a screen reader and a search cannot read).
Presentation attributes (fill, stroke) are allowed, so the pictures here use only those.
"""

from __future__ import annotations

from .bars import bar, columns, stacked_bar
from .base import NOT_SHOWN, Chart
from .grids import GridCell, Mark, grid, timeline
from .maps import Tile, tile_map
from .regions import region_code, uk_region_tiles, uk_regions

__all__ = [
    "NOT_SHOWN",
    "Chart",
    "GridCell",
    "Mark",
    "Tile",
    "bar",
    "columns",
    "grid",
    "region_code",
    "stacked_bar",
    "tile_map",
    "timeline",
    "uk_region_tiles",
    "uk_regions",
]
