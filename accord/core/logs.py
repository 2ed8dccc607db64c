"""Application logs without personal data or secrets: each request logged once with the signed-in
person's id (never their e-mail address or name), secret links' tokens masked, and e-mail
addresses scrubbed from every record as a last line of defence.

`RequestLogMiddleware` writes the request log (logger `accord.request`) and makes the person's
id known to every record logged while the request runs; the handlers in settings.LOGGING carry
`UserIdFilter` (which sets `record.user_id`) and `RedactFilter`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("accord.request")

_user_id: ContextVar[str] = ContextVar("accord_user_id", default="-")

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# The path segment after these is a secret: an invitation, a concern's confirmation link, a
# calendar feed, a password reset key.
SECRET_AFTER = re.compile(r"(/(?:invitations|link|calendar|key)/)[^/?#\s\"']+")
# Any other long opaque segment or query value is treated as a token too.
LONG_TOKEN = re.compile(r"(?<=[/=])[A-Za-z0-9_-]{24,}")
# Query parameters whose values are secrets or personal.
SECRET_PARAM = re.compile(r"((?:token|key|email|e-mail|login|password)=)[^&\s\"']*", re.I)


def redact(text: str) -> str:
    """`text` with e-mail addresses and secret tokens replaced by placeholders."""
    text = EMAIL.sub("[e-mail]", text)
    text = SECRET_AFTER.sub(r"\1[token]", text)
    text = SECRET_PARAM.sub(r"\1[removed]", text)
    return LONG_TOKEN.sub("[token]", text)


def current_user_id() -> str:
    """The id of the person whose request is being served ("-": nobody signed in, or none)."""
    return _user_id.get()


def _id_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return "-"


class UserIdFilter(logging.Filter):
    """Gives every record `user_id`: the signed-in person's id, for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "user_id"):
            # Django logs a failed request's status after the middleware has finished, with
            # the request attached.
            request = getattr(record, "request", None)
            record.user_id = _id_of(request) if request is not None else current_user_id()
        return True


class RedactFilter(logging.Filter):
    """Scrubs e-mail addresses and tokens from a record's message and traceback, whoever
    logged it (Django, allauth, the mail server's error text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # A request attached by django.request is formatted by nobody here; drop it so that a
        # handler added later cannot print its headers or body.
        if hasattr(record, "request"):
            record.request = None
        return True


class RequestLogMiddleware:
    """Logs each request once: method, path (tokens masked), status, the person's id and the
    time taken. While the request runs, records logged anywhere carry the person's id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        token = _user_id.set(_id_of(request))
        try:
            response = self.get_response(request)
            # Signing in or out during the request changes who it is.
            user_id = _id_of(request)
            _user_id.set(user_id)
            logger.info(
                "%s %s %s %dms",
                request.method,
                redact(request.get_full_path()),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            _user_id.reset(token)
