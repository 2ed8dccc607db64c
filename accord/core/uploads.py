"""Request size limits: a view that takes files declares the largest file it accepts, and a
request whose declared length is over its page's limit is refused (413, with a message saying
the limit) before its body is read, so an oversize upload costs neither memory nor disk."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

View = TypeVar("View", bound=Callable[..., Any])


def accepts_files(setting: str) -> Callable[[View], View]:
    """Mark a view as taking files of up to `settings.<setting>` bytes. Put it nearest the
    function: the decorators above it copy the mark."""

    def mark(view: View) -> View:
        view.max_file_bytes_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


def safe_name(name: str, fallback: str) -> str:
    """The last part of an uploaded name, with control characters and path marks removed: kept
    for display and downloads only, never used as a path."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    return name[-150:] or fallback


def size_text(size: int) -> str:
    """10485760 → '10 MB', as people say the size of a file."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large(limit: int) -> str:
    """What a person is told when their file is over `limit` bytes, at every door."""
    return f"The file is too large: files may be no larger than {size_text(limit)}."


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is longer than its page accepts: the largest file the
    view declares plus the form fields (DATA_UPLOAD_MAX_MEMORY_SIZE), or the form fields alone
    for a page that takes no files. Runs before the CSRF check, which would read the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django reads a malformed length as an empty body
        fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        setting = getattr(view, "max_file_bytes_setting", None)
        if setting is None:
            limit = fields
            message = f"The request is too large: this page accepts at most {size_text(limit)}."
        else:
            files = getattr(settings, setting)
            limit = files + fields
            message = too_large(files)
        if length <= limit:
            return None
        return render(request, "413.html", {"message": message}, status=413)
