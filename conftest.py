"""Fixtures shared by every test: the built-in scheme and the personas, defined once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accord.core import outbox
from tests.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
