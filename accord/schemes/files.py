"""Checking the files officers upload to a scheme: materials (by name and by content) and the
logo (a real PNG of a sane size, re-encoded so that only its pixels are kept).

Uploaded names are kept only for display and downloads; files are stored under random names
outside the web root and served only through views that check who asks.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from accord.core.errors import DomainError
from accord.core.uploads import safe_name, size_text


@dataclass(frozen=True)
class Kind:
    content_type: str
    description: str


# Extension → what the content must be. Videos are shared as links, not uploaded.
KINDS = {
    ".pdf": Kind("application/pdf", "PDF"),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
    ),
    ".pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
    ),
    ".png": Kind("image/png", "PNG image"),
    ".jpg": Kind("image/jpeg", "JPEG image"),
    ".jpeg": Kind("image/jpeg", "JPEG image"),
}
ALLOWED = "PDF, Word (.docx), PowerPoint (.pptx), PNG or JPEG"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The largest logo accepted, in pixels on each side; the smallest that still reads.
LOGO_MAX_SIDE = 4000
LOGO_MIN_SIDE = 32


def _office_part(extension: str) -> str:
    return "word/document.xml" if extension == ".docx" else "ppt/presentation.xml"


def _content_matches(extension: str, head: bytes, upload: UploadedFile) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(PNG_SIGNATURE)
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        names = zipfile.ZipFile(upload).namelist()
    except zipfile.BadZipFile:
        return False
    return _office_part(extension) in names


def check_material(upload: UploadedFile) -> tuple[str, Kind]:
    """The safe name and kind of an acceptable material file, or a DomainError on `file`."""
    name = safe_name(upload.name or "", "material")
    limit = settings.SCHEME_MATERIAL_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            f"The file “{name}” is too large: files may be no larger than {size_text(limit)}.",
            field="file",
        )
    if upload.size == 0:
        raise DomainError(f"The file “{name}” is empty.", field="file")
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise DomainError(
            f"The file “{name}” is not a type accepted here: choose a {ALLOWED} file, "
            "or give a video as a link.",
            field="file",
        )
    upload.seek(0)
    head = upload.read(16)
    if not _content_matches(extension, head, upload):
        raise DomainError(f"The file “{name}” is not really a {kind.description}.", field="file")
    upload.seek(0)
    return name, kind


def check_logo(upload: UploadedFile) -> bytes:
    """The logo re-encoded as a clean PNG (pixels only: no text chunks, no metadata), or a
    DomainError on `logo` saying what is wrong."""
    limit = settings.SCHEME_LOGO_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            f"The logo is too large: it may be no larger than {size_text(limit)}.", field="logo"
        )
    upload.seek(0)
    if upload.read(8) != PNG_SIGNATURE:
        raise DomainError(
            "The logo must be a PNG image (other formats, SVG included, are not accepted).",
            field="logo",
        )
    upload.seek(0)
    try:
        with Image.open(upload, formats=["PNG"]) as image:
            width, height = image.size
            if not (
                LOGO_MIN_SIDE <= width <= LOGO_MAX_SIDE and LOGO_MIN_SIDE <= height <= LOGO_MAX_SIDE
            ):
                raise DomainError(
                    f"The logo is {width} × {height} pixels: each side must be between "
                    f"{LOGO_MIN_SIDE} and {LOGO_MAX_SIDE} pixels.",
                    field="logo",
                )
            image.verify()
        upload.seek(0)
        with Image.open(upload, formats=["PNG"]) as image:
            image.load()
            pixels = image.convert("RGBA" if _has_transparency(image) else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DomainError(
            "The logo is not a readable PNG image: export it again as PNG.", field="logo"
        ) from error
    buffer = io.BytesIO()
    pixels.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
