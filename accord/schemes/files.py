"""Checking the files officers upload to a scheme: materials (by name and by content) and the
logo (a real PNG of a sane size, re-encoded so that only its pixels are kept).

Uploaded names are kept only for display and downloads; files are stored under random names
outside the web root and served only through views that check who asks.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from accord.core import uploads
from accord.core.errors import DomainError
from accord.core.uploads import PNG_SIGNATURE, size_text

# Videos are shared as links, not uploaded.
EXTENSIONS = (".pdf", ".docx", ".pptx", ".png", ".jpg", ".jpeg")
ALLOWED = uploads.accepted_text(EXTENSIONS)
# The largest logo accepted, in pixels on each side; the smallest that still reads.
LOGO_MAX_SIDE = 4000
LOGO_MIN_SIDE = 32


def check_material(upload: UploadedFile) -> tuple[str, uploads.Kind]:
    """The safe name and kind of an acceptable material file, or a DomainError on `file`."""
    try:
        return uploads.check_file(
            upload,
            limit=settings.SCHEME_MATERIAL_MAX_BYTES,
            extensions=EXTENSIONS,
            fallback_name="material",
            refused_type_hint=": give a video as a link",
        )
    except uploads.FileRefused as refused:
        raise DomainError(str(refused), field="file") from refused


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
