"""Checking the files officers upload to a scheme: materials (by name and by content) and the
logo (a real PNG of a sane size, re-encoded so that only its pixels are kept).

Uploaded names are kept only for display and downloads; files are stored under random names
outside the web root and served only through views that check who asks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core import uploads
from accord.core.errors import DomainError

# Videos are shared as links, not uploaded.
EXTENSIONS = (".pdf", ".docx", ".pptx", ".png", ".jpg", ".jpeg")
ALLOWED = uploads.accepted_text(EXTENSIONS)
LOGO_MAX_SIDE = uploads.LOGO_MAX_SIDE
LOGO_MIN_SIDE = uploads.LOGO_MIN_SIDE


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
    """The scheme's logo re-encoded as a clean PNG, or a DomainError on `logo`."""
    return uploads.check_png(upload, limit=settings.SCHEME_LOGO_MAX_BYTES, field="logo")
