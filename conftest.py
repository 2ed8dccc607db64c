"""Fixtures shared by every test: the built-in scheme and the personas, defined once."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.utils import override_settings

from accord.core import outbox
from tests.world import World, build_world


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Tests close their connections after each request, as the live server's threads must for
    the test database to be dropped at the end; served processes keep theirs (CONN_MAX_AGE)."""
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked postgres_only need real concurrent connections: SQLite's in-memory test
    database is not shared between threads."""
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs real concurrent connections: run against PostgreSQL (DATABASE_URL)")


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords_and_own_uploads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """For the whole run, data built once per module included: a fast password hasher, and
    uploads kept in a folder of this run's own (one per worker when tests run in parallel),
    never in the checkout's var/uploads."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("uploads"),
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test starts with empty caches: no sign-in or reset rate limit used, and no register
    page kept from another test's data (whose version a rolled-back test may have shared)."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _no_mfa_enforcement() -> Iterator[None]:
    """Two-factor sign-in is enforced in production (ACCORD_MFA_REQUIRED). Tests sign their
    personas in with a password or `force_login`, data built once per module included, so it is
    off for the run, and on for tests marked `mfa_required` (below)."""
    with override_settings(ACCORD_MFA_REQUIRED=False):
        yield


@pytest.fixture(autouse=True)
def _mfa_enforcement(request: pytest.FixtureRequest) -> Iterator[None]:
    """On for the tests of two-factor sign-in itself, which set up authenticators."""
    if request.node.get_closest_marker("mfa_required") is None:
        yield
        return
    with override_settings(ACCORD_MFA_REQUIRED=True):
        yield


@pytest.fixture
def deliver_outbox(db: None) -> Callable[[], dict[str, int]]:
    """Deliver the e-mail outbox now, as the worker would: call it where a test expects mail."""
    return outbox.deliver_due


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Say in the summary when the concurrency tests did not run, rather than hide it."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "postgres_only" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} PostgreSQL-only tests (real concurrent connections) were skipped on "
            "this database; `make test` runs them on the local PostgreSQL when it answers.",
            yellow=True,
            bold=True,
        )
    # Why the browser journeys were skipped (no Chromium), once, also when workers ran them.
    reasons = Counter(
        report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for report in terminalreporter.stats.get("skipped", [])
        if "browser" in getattr(report, "keywords", {})
    )
    for why, count in reasons.items():
        terminalreporter.write_line(
            f"{count} browser tests were skipped: {why.removeprefix('Skipped: ')}",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints"


_audit_migration = importlib.import_module("accord.core.migrations.0003_audit_streams")


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_lifts_the_audit_delete_trigger() -> Iterator[None]:
    """Transactional tests empty SQLite tables with DELETE, which the audit trail refuses.

    Between tests only, the flush lifts the trigger for its own DELETE and puts it back.
    """
    original = SQLiteWrapper.ops_class.sql_flush

    def sql_flush(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
        statements = original(self, style, tables, **kwargs)
        if "core_auditevent" not in tables:
            return statements
        return [
            "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
            *statements,
            _audit_migration.SQLITE_NO_DELETE,
        ]

    SQLiteWrapper.ops_class.sql_flush = sql_flush
    yield
    SQLiteWrapper.ops_class.sql_flush = original
