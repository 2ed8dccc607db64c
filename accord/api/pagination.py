"""Lists come a page at a time: `?page=2&page_size=100` (at most 200 a page), in a fixed order
that ends with the id, so a page never repeats or skips an item between requests. A page or
page size that is not a whole number in range is a 400 problem naming the parameter; a page
past the end is a 404."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .problems import Problem

MAX_PAGE_SIZE = 200


def _whole(request: Request, name: str, low: int, high: int) -> None:
    value = request.query_params.get(name)
    if value is None:
        return
    if not re.fullmatch(r"[0-9]{1,10}", value) or not low <= int(value) <= high:
        message = f"Must be a whole number from {low} to {high}."
        raise Problem(400, f"{name}: {message}", errors={name: [message]})


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        _whole(request, self.page_query_param, 1, 10**9)
        _whole(request, self.page_size_query_param, 1, MAX_PAGE_SIZE)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: (1, 10**9),
            self.page_size_query_param: (1, MAX_PAGE_SIZE),
        }
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {"type": "integer", "minimum": low, "maximum": high}
        return parameters
