"""Checking an uploaded evidence file: its size, its type (by name and by content) and its name.

The uploaded name is kept only for display and download; the file is stored under a random
name outside the web root and served only through a view that checks permissions.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core import uploads
from accord.core.uploads import size_text


class EvidenceRefused(Exception):
    pass


@dataclass(frozen=True)
class Kind:
    content_type: str
    description: str


# Extension → what the content must be.
KINDS = {
    ".pdf": Kind("application/pdf", "PDF"),
    ".png": Kind("image/png", "PNG image"),
    ".jpg": Kind("image/jpeg", "JPEG image"),
    ".jpeg": Kind("image/jpeg", "JPEG image"),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"
    ),
    ".txt": Kind("text/plain", "text file"),
    ".csv": Kind("text/csv", "CSV file"),
}
ALLOWED = ", ".join(sorted({k.description for k in KINDS.values()}))


def safe_name(name: str) -> str:
    """The last part of the uploaded name, with control characters and path marks removed."""
    return uploads.safe_name(name, "evidence")


def _content_matches(extension: str, head: bytes, upload: UploadedFile) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in (".docx", ".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            names = zipfile.ZipFile(upload).namelist()
        except zipfile.BadZipFile:
            return False
        return ("word/document.xml" if extension == ".docx" else "xl/workbook.xml") in names
    upload.seek(0)
    data = upload.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def check(upload: UploadedFile) -> tuple[str, Kind]:
    """The safe display name and kind of an acceptable upload, or EvidenceRefused saying why."""
    name = safe_name(upload.name or "")
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise EvidenceRefused(
            f"“{name}” is too large: files may be no larger than {size_text(limit)}."
        )
    if upload.size == 0:
        raise EvidenceRefused(f"“{name}” is empty.")
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise EvidenceRefused(f"“{name}” is not a file type accepted here ({ALLOWED}).")
    upload.seek(0)
    head = upload.read(16)
    if not _content_matches(extension, head, upload):
        raise EvidenceRefused(f"“{name}” is not really a {kind.description}.")
    upload.seek(0)
    return name, kind
