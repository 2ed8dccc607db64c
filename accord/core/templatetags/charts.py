"""`{% chart c %}`: a chart as a figure, its picture named and described, and its figures as
a table behind a disclosure, so that nobody depends on seeing the picture."""

from __future__ import annotations

from typing import Any

from django import template

from accord.core.charts import Chart

register = template.Library()


@register.inclusion_tag("includes/chart.html")
def chart(chart: Chart, *, open: bool = False) -> dict[str, Any]:
    """Render `chart`; `open` shows its table without a click (for print-first pages)."""
    return {"chart": chart, "open": open}
