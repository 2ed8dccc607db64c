"""Checking an uploaded evidence file: its size, its type (by name and by content) and its name.

The uploaded name is kept only for display and download; the file is stored under a random
name outside the web root and served only through a view that checks permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core import uploads

EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".txt", ".csv")


def check(upload: UploadedFile) -> tuple[str, uploads.Kind]:
    """The safe display name and kind of an acceptable upload, or FileRefused saying why."""
    return uploads.check_file(
        upload, limit=settings.EVIDENCE_MAX_BYTES, extensions=EXTENSIONS, fallback_name="evidence"
    )
