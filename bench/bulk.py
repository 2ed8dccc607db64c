"""Bulk insertion for the benchmarks' data: big batches of plain rows, COPY on PostgreSQL and
multi-row inserts on SQLite, without making model instances."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, models

ROWS_PER_INSERT = 20_000


def defaults(model: type[models.Model]) -> dict[str, Any]:
    """A row of `model` with every column at its default (the id left to the database), for
    callers that give only the values they care about."""
    return {
        f.attname: f.get_default()
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.attname == "id")
    }


def insert(
    model: type[models.Model], rows: Iterable[dict[str, Any]], json_done: bool = False
) -> int:
    """Insert rows (dicts by attribute name; the id left to the database) in big batches:
    COPY on PostgreSQL, multi-row executemany on SQLite. JSON values are dumped here unless
    `json_done`."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname == "id")]
    columns = [f.column for f in fields]
    names = [f.attname for f in fields]
    # Only the columns whose values need changing for the database are converted.
    convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, json_done)) is not _same]
    table = model._meta.db_table
    quoted = ", ".join(f'"{c}"' for c in columns)
    total = 0
    for batch in _batches(rows, ROWS_PER_INSERT):
        values = []
        for row in batch:
            value = [row[n] for n in names]
            for i, c in convert:
                value[i] = c(value[i])
            values.append(value)
        total += len(values)
        if connection.vendor == "postgresql":
            _copy(table, quoted, values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                    values,
                )
    return total


def _copy(table: str, quoted: str, values: list[list[Any]]) -> None:
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


def _converter(field: models.Field, json_done: bool) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField) and not json_done:
        return lambda v: v if isinstance(v, str) else json.dumps(v)
    if connection.vendor == "postgresql":
        return _same
    if isinstance(field, models.DateTimeField):
        # As Django stores them on SQLite: naive UTC, str() of the datetime.
        return lambda v: None if v is None else str(v.astimezone(datetime.UTC).replace(tzinfo=None))
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    return _same


def _same(value: Any) -> Any:
    return value


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
