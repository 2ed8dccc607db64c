"""Which Word template a scheme's joint letters are filled into, and a scheme's own template:
checked on upload (a real .docx holding every placeholder), stored under a random name, and
audited."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accord.core.errors import DomainError
from accord.core.uploads import FileRefused, check_file, replace_file
from accord.schemes.models import Scheme

from . import docx_letter

logger = logging.getLogger(__name__)


def template_for(scheme: Scheme) -> Path | IO[bytes]:
    """The scheme's own template (unless lost from storage), else the site's
    (ACCORD_LETTER_TEMPLATE), else the house template."""
    if scheme.letter_template:
        try:
            with scheme.letter_template.open("rb") as stored:
                return io.BytesIO(stored.read())
        except FileNotFoundError:
            # Lost from the file store: the letters are still made, from the standard one.
            logger.warning("The letter template of %s is missing from storage", scheme.slug)
    configured = settings.LETTER_TEMPLATE
    return Path(configured) if configured else docx_letter.DEFAULT_TEMPLATE


def check_template(upload: UploadedFile) -> bytes:
    """The uploaded template's bytes, or a DomainError on `template` saying what is wrong."""
    try:
        check_file(
            upload,
            limit=settings.SCHEME_MATERIAL_MAX_BYTES,
            extensions=[".docx"],
            fallback_name="template.docx",
        )
    except FileRefused as refused:
        raise DomainError(str(refused), field="template") from refused
    content = upload.read()
    try:
        missing = docx_letter.missing_placeholders(io.BytesIO(content))
    except docx_letter.TemplateError as error:
        raise DomainError(str(error), field="template") from error
    if missing:
        raise DomainError(
            f"The template lacks {', '.join(missing)}: each part of the letter needs a "
            "paragraph holding its placeholder alone.",
            field="template",
        )
    try:
        docx_letter.try_fill(io.BytesIO(content))
    except docx_letter.TemplateError as error:
        raise DomainError(str(error), field="template") from error
    return content


def upload_template(scheme: Scheme, *, actor: Any, file: UploadedFile) -> Scheme:
    """Make the uploaded template the scheme's: its joint letters are filled into it from now."""
    return replace_file(
        scheme,
        "letter_template",
        check_template(file),
        filename="letter.docx",
        actor=actor,
        verb="scheme.letter_template",
        summary=f"{actor} uploaded a joint letter template for {scheme.name}",
    )


def remove_template(scheme: Scheme, *, actor: Any) -> Scheme:
    """The scheme's letters go back to the site's template."""
    if not scheme.letter_template:
        return scheme
    return replace_file(
        scheme,
        "letter_template",
        None,
        filename="",
        actor=actor,
        verb="scheme.letter_template",
        summary=f"{actor} put {scheme.name}'s joint letters back on the standard template",
    )
