"""Every error the API returns is an RFC 9457 problem document (`application/problem+json`):
`type`, `title`, `status`, `detail` and `instance`, and for invalid input `errors`, the
messages by field name (the same messages as the page's form), with `non_field_errors` for
the form as a whole."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from accord.core.errors import DomainError

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"
NON_FIELD = "non_field_errors"

# The kinds of problem, by status: their `type` is TYPE_BASE + the slug.
KINDS: dict[int, tuple[str, str]] = {
    400: ("invalid", "The request is not valid"),
    401: ("unauthenticated", "Authentication is needed"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "The request cannot be carried out"),
    429: ("throttled", "Too many requests"),
    500: ("server-error", "Server error"),
}


class Problem(exceptions.APIException):
    """An error with a chosen status and, optionally, field errors."""

    def __init__(
        self, status_code: int, detail: str, *, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.errors = errors


def problem(
    status_code: int,
    detail: str,
    *,
    instance: str = "",
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    slug, title = KINDS.get(status_code, ("error", "Error"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(
    status_code: int, detail: str, *, request: Request | None = None, **kwargs: Any
) -> Response:
    instance = request.get_full_path() if request is not None else ""
    return Response(
        problem(status_code, detail, instance=instance, **kwargs),
        status=status_code,
        content_type=CONTENT_TYPE,
    )


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's validation detail as {field: [message, …]}."""
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {NON_FIELD: _messages(detail)}


def _summary(errors: dict[str, list[str]]) -> str:
    names = [n for n in errors if n != NON_FIELD]
    if not names:
        return " ".join(errors.get(NON_FIELD, [])) or "The request is not valid."
    return "Check " + ", ".join(names) + ": " + " ".join(errors[names[0]])


def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request: Request | None = context.get("request")
    if isinstance(exc, DomainError):
        errors = {exc.field or NON_FIELD: [exc.message]}
        return problem_response(422, exc.message, request=request, errors=errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You are not allowed to do this.")
    response = drf_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    errors: dict[str, list[str]] | None = None
    if isinstance(exc, Problem):
        detail = str(exc.detail)
        errors = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = _summary(errors)
    else:
        detail = " ".join(_messages(getattr(exc, "detail", str(exc))))
    body = problem(code, detail, instance=request.get_full_path() if request else "", errors=errors)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


# The schema every error response follows (drf-spectacular component "Problem").
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "properties": {
        "type": {"type": "string", "description": "What kind of problem (a URI reference)."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Messages by field name; `non_field_errors` for the whole request.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "retry_after": {"type": "integer"},
    },
    "required": ["type", "title", "status", "detail"],
}

ERROR_STATUSES = (
    status.HTTP_400_BAD_REQUEST,
    status.HTTP_401_UNAUTHORIZED,
    status.HTTP_403_FORBIDDEN,
    status.HTTP_404_NOT_FOUND,
    status.HTTP_422_UNPROCESSABLE_ENTITY,
    status.HTTP_429_TOO_MANY_REQUESTS,
)
