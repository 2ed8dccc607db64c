"""A throwaway database for a benchmark: a temporary SQLite file, or a fresh PostgreSQL test
database made beside the one named by --database-url (and dropped afterwards)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def arguments(description: str, **defaults: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    for name, value in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    return parser.parse_args()


@contextmanager
def database(database_url: str) -> Iterator[str]:
    """Set Django up on a throwaway database; yields the database's vendor."""
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # Requests go through Django's test client, whose host is "testserver".
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["ACCORD_VAR_DIR"] = tempfile.mkdtemp(prefix="accord-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if database_url:
        names = setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        yield connection.vendor
    finally:
        if database_url:
            teardown_databases(names, verbosity=0)
