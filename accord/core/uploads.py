"""Request size limits: a view that takes files declares the largest file it accepts, and a
request whose declared length is over its page's limit is refused (413, with a message saying
the limit) before its body is read, so an oversize upload costs neither memory nor disk."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from PIL import Image, UnidentifiedImageError

from accord.core import audit
from accord.core.errors import DomainError

View = TypeVar("View", bound=Callable[..., Any])


# How a view that is not a page (the API) answers a body over its limit, in its own format:
# a function of the request and the message, set on the view as `refuse_too_large`.
Refusal = Callable[[HttpRequest, str], HttpResponse]


def accepts_files(setting: str, *, refuse: Refusal | None = None) -> Callable[[View], View]:
    """Mark a view as taking files of up to `settings.<setting>` bytes. Put it nearest the
    function: the decorators above it copy the mark. `refuse` answers a body over the limit
    in the view's own format (the 413 page otherwise)."""

    def mark(view: View) -> View:
        view.max_file_bytes_setting = setting  # type: ignore[attr-defined]
        if refuse is not None:
            view.refuse_too_large = refuse  # type: ignore[attr-defined]
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
        refuse = getattr(view, "refuse_too_large", None)
        if refuse is not None:
            return refuse(request, message)
        return render(request, "413.html", {"message": message}, status=413)


# --- what an uploaded file is ------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    content_type: str
    description: str


# Extension → what the content must be. Each upload form accepts some of these.
KINDS = {
    ".pdf": Kind("application/pdf", "PDF"),
    ".png": Kind("image/png", "PNG image"),
    ".jpg": Kind("image/jpeg", "JPEG image"),
    ".jpeg": Kind("image/jpeg", "JPEG image"),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
    ),
    ".pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"
    ),
    ".txt": Kind("text/plain", "text file"),
    ".csv": Kind("text/csv", "CSV file"),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The part every Office file of a kind holds: a renamed archive of another kind has none.
_OFFICE_PARTS = {
    ".docx": "word/document.xml",
    ".pptx": "ppt/presentation.xml",
    ".xlsx": "xl/workbook.xml",
}


class FileRefused(Exception):
    """An upload that is not accepted, with the reason in words for the person who sent it."""


def accepted_text(extensions: Iterable[str]) -> str:
    return ", ".join(sorted({KINDS[e].description for e in extensions}))


def _content_matches(extension: str, upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(16)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(PNG_SIGNATURE)
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in _OFFICE_PARTS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            names = zipfile.ZipFile(upload).namelist()
        except zipfile.BadZipFile:
            return False
        return _OFFICE_PARTS[extension] in names
    upload.seek(0)
    data = upload.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def check_file(
    upload: UploadedFile,
    *,
    limit: int,
    extensions: Iterable[str],
    fallback_name: str,
    refused_type_hint: str = "",
) -> tuple[str, Kind]:
    """The safe display name and kind of an acceptable upload (its size, its type by name and
    by content), or FileRefused saying why."""
    extensions = tuple(extensions)
    name = safe_name(upload.name or "", fallback_name)
    if upload.size > limit:
        raise FileRefused(
            f"The file “{name}” is too large: files may be no larger than {size_text(limit)}."
        )
    if upload.size == 0:
        raise FileRefused(f"The file “{name}” is empty.")
    extension = os.path.splitext(name)[1].lower()
    if extension not in extensions:
        raise FileRefused(
            f"The file “{name}” is not a file type accepted here "
            f"({accepted_text(extensions)}){refused_type_hint}."
        )
    kind = KINDS[extension]
    if not _content_matches(extension, upload):
        raise FileRefused(f"The file “{name}” is not really a {kind.description}.")
    upload.seek(0)
    return name, kind


# The largest logo accepted, in pixels on each side; the smallest that still reads.
LOGO_MAX_SIDE = 4000
LOGO_MIN_SIDE = 32


def check_png(upload: UploadedFile, *, limit: int, field: str, label: str = "logo") -> bytes:
    """The image re-encoded as a clean PNG (pixels only: no text chunks, no metadata), or a
    DomainError on `field` saying what is wrong with "the `label`"."""
    if upload.size > limit:
        raise DomainError(
            f"The {label} is too large: it may be no larger than {size_text(limit)}.", field=field
        )
    upload.seek(0)
    if upload.read(8) != PNG_SIGNATURE:
        raise DomainError(
            f"The {label} must be a PNG image (other formats, SVG included, are not accepted).",
            field=field,
        )
    upload.seek(0)
    try:
        with Image.open(upload, formats=["PNG"]) as image:
            width, height = image.size
            if not (
                LOGO_MIN_SIDE <= width <= LOGO_MAX_SIDE and LOGO_MIN_SIDE <= height <= LOGO_MAX_SIDE
            ):
                raise DomainError(
                    f"The {label} is {width} × {height} pixels: each side must be between "
                    f"{LOGO_MIN_SIDE} and {LOGO_MAX_SIDE} pixels.",
                    field=field,
                )
            image.verify()
        upload.seek(0)
        with Image.open(upload, formats=["PNG"]) as image:
            image.load()
            pixels = image.convert("RGBA" if _has_transparency(image) else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DomainError(
            f"The {label} is not a readable PNG image: export it again as PNG.", field=field
        ) from error
    buffer = io.BytesIO()
    pixels.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


M = TypeVar("M", bound=Model)


def replace_file(
    instance: M,
    field: str,
    content: bytes | None,
    *,
    filename: str,
    actor: Any,
    verb: str,
    summary: str,
) -> M:
    """Store `content` (already checked) as the record's file in `field`, or clear the field
    for None: in one transaction, with the row locked, audited with the stored name before and
    after. Returns the record as saved."""
    with transaction.atomic():
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
        stored = getattr(instance, field)
        before = stored.name or None
        if content is None:
            setattr(instance, field, "")
        else:
            stored.save(filename, ContentFile(content), save=False)
        instance.save(update_fields=[field])
        audit.log_action(
            instance,
            verb,
            actor=actor,
            summary=summary,
            changes={field: [before, getattr(instance, field).name or None]},
        )
    return instance


def serve_upload(
    stored: FieldFile, *, content_type: str, filename: str | None = None
) -> FileResponse:
    """An uploaded file, served so that a browser can only save it (given a `filename`) or show
    it as what it is, a picture: never run it as a page of this site. Permission checks are the
    caller's."""
    response = FileResponse(
        stored.open("rb"),
        as_attachment=filename is not None,
        filename=filename or "",
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve_evidence(evidence: Any) -> FileResponse:
    """An evidence file (of progress, or of a concern) as an attachment under the name it was
    uploaded with; a 404 once the retention rules deleted it, the row saying so."""
    if evidence.removed_on is not None:
        raise Http404("This file was deleted under the retention rules.")
    return serve_upload(
        evidence.file, content_type=evidence.content_type, filename=evidence.original_name
    )
