"""Caching the public register's pages, keyed by the register's version, with conditional GET.

Every cached page is stored under the version's stamp, which changes in the same transaction
as any change to the register's rows: a page cached before a change is never found after it,
whatever the cache backend (shared, like the database or Redis, or one per process), so no
entry needs deleting. The same stamp is the page's ETag, and the version's time its
Last-Modified, so a browser, proxy or CDN that asks again with them gets a 304.

`Cache-Control: public, max-age=0, must-revalidate` lets a proxy or CDN keep a copy but makes
it ask again before each use: a suspension must show at once (an employer may not use the logo
from that moment), and asking again costs us one read of the version row and a 304.

Only what any anonymous visitor would see is cached and shared. A visitor with a session (a
signed-in person, whose header carries their name and a sign-out form with a CSRF token) or
with messages waiting gets the page made for them, marked private.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

from . import entries
from .models import RegisterVersion

SHARED = "public, max-age=0, must-revalidate"
PRIVATE = "private, no-cache"
# Entries of older versions are never read again; they are left to expire.
TIMEOUT = 24 * 60 * 60
# Open data larger than this is streamed every time rather than kept in the cache.
MAX_CACHED_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class Version:
    stamp: str
    changed_at: datetime.datetime


def cache() -> Any:
    return caches["register"]


def current() -> Version:
    row = RegisterVersion.objects.filter(pk=1).values_list("stamp", "changed_at").first()
    if row is None:  # an emptied database (tests that flush every table)
        entries.bump()
        row = RegisterVersion.objects.values_list("stamp", "changed_at").get(pk=1)
    return Version(*row)


def key(version: Version, *parts: Any) -> str:
    """A cache key for `parts` (any values) at this version: short and safe for any backend."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"register:{version.stamp}:{digest}"


def cached(version: Version, name: str, make: Callable[[], Any], *parts: Any) -> Any:
    """`make()`, computed once per version (and `parts`)."""
    return cache().get_or_set(key(version, name, *parts), make, TIMEOUT)


def shareable(request: HttpRequest) -> bool:
    """Whether the visitor sees what every anonymous visitor sees: no session (so not signed
    in) and no messages waiting in a cookie."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _headers(response: HttpResponseBase, etag: str, last_modified: int) -> HttpResponseBase:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = SHARED
    patch_vary_headers(response, ["Cookie"])
    return response


def page(
    request: HttpRequest,
    *parts: Any,
    make: Callable[[Version], HttpResponseBase],
    day: datetime.date | None = None,
) -> HttpResponseBase:
    """The response `make(version)` gives, cached under `parts` (what the page depends on
    besides the register: its parameters) and answered with 304 when the visitor has it.
    `day`: the page shows today's date, so it changes at midnight too."""
    version = current()
    if request.method not in ("GET", "HEAD") or not shareable(request):
        response = make(version)
        response["Cache-Control"] = PRIVATE
        patch_vary_headers(response, ["Cookie"])
        return response
    tag = version.stamp + (f"-{day.isoformat()}" if day else "")
    etag = quote_etag(tag)
    last_modified = version.changed_at
    if day is not None:
        midnight = datetime.datetime.combine(day, datetime.time(), last_modified.tzinfo)
        last_modified = max(last_modified, midnight)
    modified = int(last_modified.timestamp())
    # "If-None-Match: *" asks whether the page exists at all, which only making it can tell
    # (a verification page for an unknown reference is a 404): such a request is answered in full.
    conditional = request.headers.get("If-None-Match", "").strip() != "*"
    not_modified = conditional and get_conditional_response(
        request, etag=etag, last_modified=modified
    )
    if not_modified:
        return _headers(not_modified, etag, modified)
    cache_key = key(version, request.path, day, *parts)
    stored = cache().get(cache_key)
    if stored is not None:
        content_type, body, extra = stored
        response = HttpResponse(body, content_type=content_type)
        for header, value in extra:
            response[header] = value
        return _headers(response, etag, modified)
    response = make(version)
    if response.status_code == 200:
        extra = [(h, response[h]) for h in ("Content-Disposition",) if h in response]
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _keeping(
                response.streaming_content, cache_key, response["Content-Type"], extra
            )
        else:
            cache().set(cache_key, (response["Content-Type"], response.content, extra), TIMEOUT)
    return _headers(response, etag, modified)


def _keeping(
    chunks: Iterator[bytes], cache_key: str, content_type: str, extra: list
) -> Iterator[bytes]:
    """Pass a streamed body on, and keep it in the cache at its end if it stayed small."""
    kept: list[bytes] | None = []
    size = 0
    for chunk in chunks:
        if kept is not None:
            size += len(chunk)
            if size > MAX_CACHED_BODY:
                kept = None
            else:
                kept.append(chunk)
        yield chunk
    if kept is not None:
        cache().set(cache_key, (content_type, b"".join(kept), extra), TIMEOUT)
