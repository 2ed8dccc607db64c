"""Calling the application through its WSGI handler from inside a test's transaction, as
Schemathesis and httpx's WSGI transport do (Django's test client does the same for itself): the
database connection must not be closed at the end of each request, as a served request closes
it, or the test's transaction, and its data, would go with it (on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@contextmanager
def connections_kept_open() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
