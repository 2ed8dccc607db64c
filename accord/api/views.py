"""What every API view shares: the not-found answer, and the base class resource views use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from accord.core.pages import TOKEN_FIELD

from .forms import check
from .problems import problem_response


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def not_found(request: Request, *args: Any, **kwargs: Any) -> Response:
    return problem_response(404, "There is no such address in the API.", request=request)


def act(
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    *,
    serialize: Callable[[Any], Any],
    status: int = 200,
    location: Callable[[Any], str] | None = None,
) -> Response:
    """The API's form page: check `form` (a 400 problem naming each wrong field), call the
    service `action` with the cleaned data (a rule's refusal is a 422 problem), and answer
    with `serialize(result)`; a `location` for what was made (201)."""
    data = check(form)
    data.pop(TOKEN_FIELD, None)
    result = action(data)
    response = Response(serialize(result), status=status)
    if location is not None:
        response["Location"] = location(result)
    return response
