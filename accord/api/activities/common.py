"""What the activity, policy-check and concern endpoints share: file downloads, evidence that
the rules refuse answered as invalid input, and the upload limit in the schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rest_framework.request import Request
from rest_framework.views import APIView

from accord.core.errors import DomainError

from ..problems import Problem
from ..schema import Schema, problem_response


class Download(APIView):
    """A view answering with a file: whatever the caller accepts, errors are problem
    documents, and a file is sent as it is."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


@contextmanager
def files_are_input() -> Iterator[None]:
    """A file that the evidence rules refuse (its type, content, size or emptiness) is a wrong
    input on `file`, as on the page, where it is the form's error: a 400 naming the field."""
    try:
        yield
    except DomainError as error:
        if error.field != "file":
            raise
        raise Problem(400, error.message, errors={"file": [error.message]}) from error


def document_upload_limit(operation_ids: list[str]) -> Any:
    """A schema hook: the operations taking files answer 413 to a body over the limit."""

    def hook(result: Schema) -> None:
        for methods in result.get("paths", {}).values():
            for operation in methods.values():
                if isinstance(operation, dict) and operation.get("operationId") in operation_ids:
                    operation.setdefault("responses", {}).setdefault(
                        "413",
                        problem_response("The body is larger than the file limit allows."),
                    )

    return hook
