"""A4 PDFs from HTML, with WeasyPrint.

Letters and certificates are written once, as HTML templates, and printed from the same page a
person sees. WeasyPrint would fetch every address the HTML names; here it may read only the
project's own static files and inline `data:` images, so text a user typed can never make the
server fetch a URL (no server-side request forgery) or read a file outside the static folders.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils import timezone
from weasyprint import HTML, URLFetcher

PDF_CONTENT_TYPE = "application/pdf"
# What the HTML may name: static files by their URL, and images carried inline.
_ALLOWED_SCHEMES = ("data:",)


class RefusedFetch(ValueError):
    """The HTML named something a PDF may not read."""


def _static_path(url: str) -> str | None:
    prefix = settings.STATIC_URL
    for start in (prefix, f"{settings.SITE_URL}{prefix}", f"file://{prefix}"):
        if url.startswith(start):
            relative = url[len(start) :].split("?", 1)[0].split("#", 1)[0]
            if ".." in relative.split("/"):
                return None
            # A development checkout finds the file in its app; a collected site (whose page
            # names the hashed copy, accord.3f2a1b.css) finds it among the collected files.
            found = finders.find(relative)
            if found is None and staticfiles_storage.exists(relative):
                found = staticfiles_storage.path(relative)
            return found
    return None


class _StaticOnly(URLFetcher):
    """Reads inline `data:` images and the project's static files; refuses anything else."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        if url.startswith(_ALLOWED_SCHEMES):
            return super().fetch(url, headers)
        path = _static_path(url)
        if path is None:
            raise RefusedFetch(f"A PDF may not read {url[:100]!r}.")
        return super().fetch(f"file://{path}", headers)


def html_to_pdf(
    html: str,
    *,
    title: str,
    author: str = "",
    subject: str = "",
    created: datetime.datetime | None = None,
) -> bytes:
    """The PDF of `html` (a whole page, whose CSS sets `@page { size: A4 }`), with its document
    properties set: the title and author a PDF reader shows, and the time it was made."""
    document = HTML(
        string=html,
        base_url=f"{settings.SITE_URL}/",
        url_fetcher=_StaticOnly(allowed_protocols=("data", "file")),
    ).render()
    metadata = document.metadata
    metadata.title = title
    metadata.authors = [author] if author else []
    metadata.description = subject
    metadata.generator = "Accord"
    metadata.created = (created or timezone.now()).isoformat(timespec="seconds")
    metadata.modified = metadata.created
    metadata.lang = "en-GB"
    return document.write_pdf()
