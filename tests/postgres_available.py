"""Exit 0 when the PostgreSQL server named by the URL answers, 1 otherwise (used by `make test`)."""

from __future__ import annotations

import sys

import dj_database_url
import psycopg


def answers(url: str) -> bool:
    config = dj_database_url.parse(url)
    try:
        # The server's own maintenance database: the test database is created by pytest-django.
        psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error:
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if len(sys.argv) == 2 and answers(sys.argv[1]) else 1)
