"""Child rows read in their parent's query, as JSON: a page that shows a few small lists beside
one record reads them with it, rather than with a query each."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Aggregate, JSONField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject

M = TypeVar("M", bound=Model)


class JSONList(Aggregate):
    """The grouped values as one JSON array (SQLite's json_group_array, PostgreSQL's
    jsonb_agg). The order of its items is not defined: sort them once read."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def child_rows(queryset: QuerySet, parent: str, **fields: str) -> Subquery:
    """The rows of `queryset` whose `parent` is the outer row, as a JSON list of objects with
    `fields` (name: field path). Annotate the parent with it; read it with `instances`."""
    return Subquery(
        queryset.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(rows=JSONList(JSONObject(**fields)))
        .values("rows")[:1],
        output_field=JSONField(),
    )


def child_row(queryset: QuerySet, parent: str, **fields: str) -> Subquery:
    """The one row of `queryset` whose `parent` is the outer row, as a JSON object (or null)."""
    return Subquery(
        queryset.filter(**{parent: OuterRef("pk")}).order_by().values(row=JSONObject(**fields))[:1],
        output_field=JSONField(),
    )


def instances(model: type[M], rows: list[dict[str, Any]] | None) -> list[M]:
    """Model instances from rows read as JSON, as if read by a query of only those fields (the
    others deferred): each value converted as its field reads it from the database."""
    made = []
    for row in rows or []:
        read = {}
        for name, value in row.items():
            field = model._meta.get_field(name)
            read[field.attname] = field.to_python(value)
        # In the model's field order, as a query would give them.
        attnames = [f.attname for f in model._meta.concrete_fields if f.attname in read]
        made.append(model.from_db(DEFAULT_DB_ALIAS, attnames, [read[a] for a in attnames]))
    return made
