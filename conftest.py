"""Fixtures shared by every test: the built-in scheme and the personas, defined once."""

from __future__ import annotations

import pytest

from tests.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
