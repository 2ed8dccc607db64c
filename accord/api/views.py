"""What every API view shares: the not-found answer, and the base class resource views use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from accord.core import uploads
from accord.core.pages import TOKEN_FIELD

from .forms import check
from .problems import CONTENT_TYPE, problem, problem_response

View = TypeVar("View", bound=Callable[..., Any])


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


def too_large(request: HttpRequest, message: str) -> HttpResponse:
    """A body over the view's limit, refused before it is read: a 413 problem document."""
    return JsonResponse(
        problem(413, message, instance=request.get_full_path()),
        status=413,
        content_type=CONTENT_TYPE,
    )


def accepts_files(setting: str) -> Callable[[View], View]:
    """Mark an API view (its `as_view()`) as taking files of up to `settings.<setting>` bytes,
    as the pages mark theirs: a larger body is a 413 problem document, refused unread."""
    return uploads.accepts_files(setting, refuse=too_large)
