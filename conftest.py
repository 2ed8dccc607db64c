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
