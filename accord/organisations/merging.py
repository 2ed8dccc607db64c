"""Moving every link from one record to another of the same model, for merges.

The links are read from the model's own metadata (`_meta.related_objects` and its many-to-many
fields), never listed by hand, so a relation added later moves too. Before anything moves,
every unique rule of a related model that the move could break is checked, and a merge that
would break one is refused with the rule's name and the two records in the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q

from accord.core import audit
from accord.core.errors import DomainError


@dataclass(frozen=True)
class Link:
    """One way a row of `model` points at the merged model: through its field `name`."""

    model: type[models.Model]
    name: str
    # A many-to-many table Django made: its rows are links only, recorded on their owner.
    plain_table: bool

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


@dataclass
class Moved:
    """What a merge moved: the number of rows per link, and an audit event per moved row."""

    counts: dict[str, int] = field(default_factory=dict)
    events: list[audit.Event] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def links(model: type[models.Model]) -> list[Link]:
    """Every relation pointing at `model`, and the tables of its own many-to-many fields."""
    found = []
    # Hidden ones too: a relation named "+" has no accessor, but its rows point here all the same.
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue  # not a relation pointing here
        if rel.related_model._meta.auto_created:
            continue  # a table Django made for a many-to-many field: that field's entry moves it
        if rel.many_to_many:
            through = rel.through
            found.append(
                Link(through, rel.field.m2m_reverse_field_name(), bool(through._meta.auto_created))
            )
        else:
            found.append(Link(rel.related_model, rel.field.name, False))
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        found.append(Link(through, m2m.m2m_field_name(), bool(through._meta.auto_created)))
    return found


def _unique_rules(link: Link) -> Iterator[tuple[str, list[str], Q | None]]:
    """(the rule's name, the other fields it names, its condition) for each unique rule of
    the linked model that includes the link's field."""
    meta = link.model._meta
    column = meta.get_field(link.name)
    if column.unique:
        yield f"one {meta.verbose_name} per {column.verbose_name}", [], None
    for fields in meta.unique_together:
        if link.name in fields:
            others = [f for f in fields if f != link.name]
            yield f"one {meta.verbose_name} per {' and '.join(fields)}", others, None
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and link.name in constraint.fields:
            others = [f for f in constraint.fields if f != link.name]
            yield constraint.name.replace("_", " "), others, constraint.condition


def _clashes(link: Link, source: models.Model, target: models.Model) -> Iterator[tuple]:
    """(rule, the source's row, the target's row) for each row that could not move."""
    manager = link.model._base_manager
    for rule, others, condition in _unique_rules(link):
        theirs = manager.filter(**{link.name: target})
        ours = manager.filter(**{link.name: source})
        if condition is not None:
            theirs, ours = theirs.filter(condition), ours.filter(condition)
        match = {name: OuterRef(name) for name in others}
        for row in ours.filter(Exists(theirs.filter(**match)))[:1]:
            other = theirs.filter(**{name: getattr(row, name) for name in others}).first()
            yield rule, row, other


def check_movable(source: models.Model, target: models.Model) -> None:
    """Refuse (DomainError) when moving every link from `source` to `target` would break a
    unique rule. Links in tables Django made are merged instead (a repeat is dropped)."""
    for link in links(type(source)):
        if link.plain_table:
            continue
        for rule, ours, theirs in _clashes(link, source, target):
            raise DomainError(
                f"Merging would break the rule “{rule}”: {source} has “{ours}” and {target} has "
                f"“{theirs}”. Close or move one of them first, then merge."
            )


def _context(row: models.Model) -> str:
    return getattr(row, "audit_context", None) or audit.context_of(row)


def move_links(source: models.Model, target: models.Model, *, actor: Any, why: str) -> Moved:
    """Point every link to `source` at `target` instead, inside the caller's transaction.

    Each moved row gets an audit event (returned, for the caller to record with its own);
    rows of many-to-many tables Django made are counted only, their owner's event says it."""
    check_movable(source, target)
    moved = Moved()
    for link in links(type(source)):
        manager = link.model._base_manager
        rows = manager.filter(**{link.name: source})
        if link.plain_table:
            # Both sides linked to the same row already: keep the target's, drop ours.
            other_name = next(
                f.name
                for f in link.model._meta.get_fields()
                if f.is_relation and f.many_to_one and f.name != link.name
            )
            shared = manager.filter(**{link.name: target}).values(other_name)
            rows.filter(**{f"{other_name}__in": shared}).delete()
            count = rows.update(**{link.name: target})
        else:
            if link.model is type(source):
                rows = rows.exclude(pk=target.pk)  # a record never points at itself
            changed = list(rows)
            count = rows.update(**{link.name: target})
            for row in changed:
                moved.events.append(
                    audit.Event(
                        action=f"{row._meta.model_name}.moved",
                        summary=f"{why}: {link.name.replace('_', ' ')} is now {target}",
                        target=row,
                        context=_context(row),
                        actor=actor,
                        changes={link.name: [str(source), str(target)]},
                    )
                )
        if count:
            moved.counts[link.label] = count
    return moved


def atomic_move(source: models.Model, target: models.Model, **kwargs: Any) -> Moved:
    """`move_links` in a savepoint: a rule the check did not foresee (a race, a constraint
    only the database knows) refuses the merge instead of failing the page."""
    try:
        with transaction.atomic():
            return move_links(source, target, **kwargs)
    except IntegrityError as exc:
        raise DomainError(
            f"Merging {source} into {target} would break a rule of the database ({exc}). "
            "Nothing was changed."
        ) from exc
