"""Count the rows a block of code fetches from the database, not only the queries it runs.

Every model and values() query reads its rows through the SQL compiler: `cursor_iter` for
many rows and `fetchone` for a single one. Counting there sees each row fetched, whatever the
database, so a test can show a page reads a bounded window of rows as the data grows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db.models.sql import compiler


@dataclass
class Fetched:
    rows: int = 0
    queries: int = 0
    by_table: dict[str, int] = field(default_factory=dict)


@contextmanager
def rows_fetched() -> Iterator[Fetched]:
    """Yields a counter of rows fetched (and SELECTs run) by model queries inside the block."""
    fetched = Fetched()
    original = compiler.SQLCompiler.execute_sql

    def counting(self, result_type=compiler.MULTI, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(self, result_type, *args, **kwargs)
        table = self.query.get_meta().db_table
        fetched.queries += 1
        if result_type == compiler.MULTI and result is not None:
            chunks = list(result)
            count = sum(len(chunk) for chunk in chunks)
            result = iter(chunks)
        elif result_type == compiler.SINGLE:
            count = 0 if result is None else 1
        else:
            return result
        fetched.rows += count
        fetched.by_table[table] = fetched.by_table.get(table, 0) + count
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiler.SQLCompiler, "execute_sql", counting)
        yield fetched
