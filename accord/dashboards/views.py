"""The scheme dashboard and its downloads."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accord.core.exports import Column, Table

from . import pictures, rules, sections, selectors

EXPORT_FORMATS = ("csv", "xlsx")


def _board(request: HttpRequest) -> selectors.Dashboard | HttpResponse:
    scope = rules.dashboard_scope(request.user)
    if not scope.reaches:
        employer = rules.progress_employer_id(request.user)
        if employer is not None:
            return redirect("employer", employer)
        raise PermissionDenied(
            "The dashboard is for national officers, auditors, local secretaries and NEMs."
        )
    return selectors.dashboard(scope, request.GET, timezone.localdate())


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    if isinstance(board, HttpResponse):
        return board
    errors = [(f"f-{name}", message) for name, message in board.filters.errors]
    # The page's content depends only on the figures and filters (nothing of the reader but
    # their scope, which the key holds), so it is drawn once and kept beside them.
    # The messages quote what was sent, which the key does not hold.
    content_key = board.key + ":html:" + hashlib.sha256(repr(errors).encode()).hexdigest()
    content = selectors.cache().get(content_key)
    if content is None:
        content = render_to_string(
            "dashboards/_content.html", _content(board, errors), request=None
        )
        selectors.cache().set(content_key, content, selectors.TIMEOUT)
    return render(
        request,
        "dashboards/dashboard.html",
        {"content": mark_safe(content), "errors": errors},
    )


def _content(board: selectors.Dashboard, errors: list[tuple[str, str]]) -> dict[str, Any]:
    found = sections.sections(
        board.figures, board.options, board.filters, with_plans=board.scope.sees_plans
    )
    query = urlencode(board.filters.query())
    shown = [
        (
            section,
            pictures.section_charts(section),
            [(t, [[_shown(c) for c in row] for row in t.rows]) for t in section.tables],
        )
        for section in found
    ]
    return {
        "board": board,
        "filters": board.filters,
        "options": board.options,
        "sections": shown,
        "query": f"?{query}" if query else "",
        "errors": errors,
        "field_errors": dict(board.filters.errors),
        "nationwide": board.scope.nationwide,
    }


@login_required
@require_GET
def export(request: HttpRequest, table: str, format: str) -> HttpResponse:
    """A dashboard table as CSV or XLSX, with the filters in the query string applied."""
    if format not in EXPORT_FORMATS:
        raise Http404("Tables download as .csv or .xlsx.")
    board = _board(request)
    if isinstance(board, HttpResponse):
        return board
    found = sections.tables(
        sections.sections(
            board.figures, board.options, board.filters, with_plans=board.scope.sees_plans
        )
    )
    if table not in found:
        raise Http404("No such table on the dashboard.")
    chosen = found[table]
    columns = [Column(heading, _cell(i)) for i, heading in enumerate(chosen.header)]
    out = Table(chosen.title, columns)
    name = f"dashboard-{table}-{board.filters.today:%Y-%m-%d}"
    if format == "csv":
        return out.csv_response(chosen.rows, filename=name)
    return out.xlsx_response(chosen.rows, filename=name)


def _cell(index: int) -> Callable[[list[Any]], Any]:
    return lambda row: row[index]


def _shown(value: Any) -> str:
    """A cell as the page shows it: a month by name, a missing median as a dash."""
    if isinstance(value, datetime.date):
        return f"{value:%B %Y}"
    if value is None:
        return "—"
    return str(value)
