"""The OpenAPI schema's finishing touches (a drf-spectacular postprocessing hook): the problem
document every error follows, the error answers each operation can give, and the hooks the
resource modules register to describe what is declared elsewhere (the steps of the process,
say), so that a new step appears in the schema with no API code changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .problems import CONTENT_TYPE, PROBLEM_SCHEMA

Schema = dict[str, Any]
# Functions that edit the finished schema in place; resource modules append to this.
HOOKS: list[Callable[[Schema], None]] = []

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ERRORS_ANY = {
    "400": "The request is not valid: `errors` names each field.",
    "401": "No token, or the token is unknown, expired or revoked.",
    "403": "The caller may not do this.",
    "404": "No such object, or the caller may not see it.",
    "429": "Too many requests: wait `retry_after` seconds.",
}
ERRORS_WRITE = {
    "409": "A request with the same Idempotency-Key is still being answered.",
    "415": "The body is not JSON or multipart.",
    "422": "A rule of the process refuses it: `errors` names the field where it can.",
}
ERRORS_CONDITIONAL = {"412": "Precondition failed."}


def problem_response(description: str) -> Schema:
    return {"description": description, "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}}}


def _add_errors(operation: Schema, method: str) -> None:
    responses = operation.setdefault("responses", {})
    errors = dict(ERRORS_ANY)
    if method in {"post", "put", "patch", "delete"}:
        errors.update(ERRORS_WRITE)
    for code, description in errors.items():
        responses.setdefault(code, problem_response(description))


def postprocess(result: Schema, generator: Any, request: Any, public: bool) -> Schema:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for hook in HOOKS:
        hook(result)
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "responses" in operation:
                _add_errors(operation, method)
    return result
