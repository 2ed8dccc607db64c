"""The framework floor (the least a Django view can cost) and a per-request query counter."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERIES_HEADER = "X-Bench-Queries"
_BODY = b"<!doctype html><title>floor</title><p>floor</p>\n"


def floor(request: HttpRequest) -> HttpResponse:
    """A minimal page: no template, no database."""
    return HttpResponse(_BODY)


class QueryCountMiddleware:
    """Counts the database queries a request makes and reports them in a response header.

    Queries made while a streamed response is being sent come after the header and are not
    counted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = [0]

        def counter(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count[0])
        return response
