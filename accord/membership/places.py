"""Managing areas: regions, NEM districts and local associations are created, edited, merged
and retired, and a local authority moves between associations, taking its employers' cases
(their scope) along.

Here rather than in organisations because the officer sees, before confirming a move or a
merge, how many open cases change hands (open enrolments and memberships, from above
organisations) and whose roles do (accounts). Every change is one transaction, audited with
its before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.accounts.models import RoleAssignment
from accord.core import audit
from accord.core.errors import DomainError
from accord.core.signals import employers_changed
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.organisations import merging
from accord.organisations.models import Association, District, Employer, LocalAuthority, Region
from accord.organisations.services import full_clean

from .models import Membership

AnyArea = Region | District | Association
# Each kind of area as its pages name it: the model and what it is called.
KINDS: dict[str, type[models.Model]] = {
    "regions": Region,
    "districts": District,
    "associations": Association,
}
KIND_LABELS = {Region: "region", District: "NEM district", Association: "local association"}
# How an employer reaches each kind of area.
EMPLOYER_PATH = {
    Region: "association__region",
    District: "association__district",
    Association: "association",
}
# The areas that must move out of an area before it may retire, and where to.
CONTENTS = {
    Region: ("associations", "association", "another region"),
    District: ("associations", "association", "another NEM district"),
    Association: ("local_authorities", "local authority", "another association"),
}
FIELDS = {
    Region: ("name",),
    District: ("name",),
    Association: ("name", "region", "district", "address", "email", "local_authorities"),
}
NAMES_SHOWN = 5


def label(area: AnyArea) -> str:
    return KIND_LABELS[type(area)]


def _role_field(area: AnyArea) -> str:
    # A role assignment names its area in the field called after the area's model.
    return type(area)._meta.model_name


def area_employers(area: AnyArea) -> QuerySet[Employer]:
    return Employer.objects.current().filter(**{EMPLOYER_PATH[type(area)]: area})


@dataclass
class Cases:
    """The open cases of a set of employers: enrolments on their way in, and memberships."""

    enrolments: int
    memberships: int
    employer_names: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.enrolments + self.memberships


def open_cases(employers: QuerySet[Employer]) -> Cases:
    enrolments = Enrolment.objects.open().exclude(state=State.LISTED).filter(employer__in=employers)
    memberships = Membership.objects.on_register().filter(employer__in=employers)
    names = (
        Employer.objects.filter(
            Q(pk__in=enrolments.values("employer_id")) | Q(pk__in=memberships.values("employer_id"))
        )
        .order_by("name")
        .values_list("name", flat=True)[:NAMES_SHOWN]
    )
    return Cases(enrolments.count(), memberships.count(), list(names))


def roles_for(**scope: Any) -> list[RoleAssignment]:
    """The role assignments held for any of the given areas (`association=[...]`, ...)."""
    condition = Q(pk__in=[])
    for name, areas in scope.items():
        areas = [a for a in areas if a is not None]
        if areas:
            condition |= Q(**{f"{name}__in": areas})
    return list(
        RoleAssignment.objects.filter(condition)
        .select_related("user", "union", "association", "district", "region")
        .order_by("user__full_name", "user__email", "pk")
    )


# --- creating and editing ----------------------------------------------------------------


def _snapshot(area: AnyArea) -> dict[str, Any]:
    values = audit.snapshot(area, [f for f in FIELDS[type(area)] if f != "local_authorities"])
    if isinstance(area, Association) and area.pk:
        values["local_authorities"] = sorted(str(la) for la in area.local_authorities.all())
    return values


def _check_current(data: dict[str, Any]) -> None:
    for name in ("region", "district"):
        chosen = data.get(name)
        if chosen is not None and chosen.is_retired:
            raise DomainError(f"{chosen} is retired: choose another.", name)


def _add_authorities(
    association: Association, added: list[LocalAuthority], *, actor: Any
) -> list[audit.Event]:
    """Cover local authorities no current association covers; their employers without an
    association (and not set by hand) join it."""
    for authority in added:
        covering = authority.associations.current().exclude(pk=association.pk).first()
        if covering is not None:
            raise DomainError(
                f"{authority} is covered by {covering}: move it from the local authorities list "
                "instead, to see whose cases change hands first.",
                "local_authorities",
            )
    association.local_authorities.add(*added)
    joining = list(
        Employer.objects.current().filter(
            local_authority__in=added, association__isnull=True, association_overridden=False
        )
    )
    Employer.objects.filter(pk__in=[e.pk for e in joining]).update(association=association)
    employers_changed.send(sender=Employer, employer_ids=[e.pk for e in joining])
    return [
        audit.Event(
            action="employer.association_set",
            summary=f"{e} joined {association} with its local authority",
            target=e,
            context=audit.context_of(e),
            actor=actor,
            changes={"association": [None, str(association)]},
        )
        for e in joining
    ]


def save_area(
    area: AnyArea | None, kind: type[models.Model], *, actor: Any, data: dict[str, Any]
) -> AnyArea:
    """Create an area of `kind` (area None) or edit one; an association may be given local
    authorities that no current association covers."""
    with transaction.atomic():
        if area is not None:
            area = kind.objects.select_for_update().get(pk=area.pk)
            if area.is_retired:
                raise DomainError(f"{area} is retired and kept as it was.")
            before = _snapshot(area)
        else:
            area, before = kind(), {}
        _check_current(data)
        added = list(data.get("local_authorities") or [])
        for name in FIELDS[kind]:
            if name != "local_authorities" and name in data:
                setattr(area, name, data[name])
        full_clean(area)
        area.save()
        events = _add_authorities(area, added, actor=actor) if added else []
        verb = "edited" if before else "created"
        events.insert(
            0,
            audit.Event(
                action=f"{kind._meta.model_name}.{verb}",
                summary=f"{verb.capitalize()} the {label(area)} {area}",
                target=area,
                context=audit.context_of(area),
                actor=actor,
                changes=audit.diff(before, _snapshot(area)),
            ),
        )
        if events[0].changes or len(events) > 1:
            audit.record(events)
    return area


# --- merging ----------------------------------------------------------------------------


@dataclass
class Preview:
    """What a move or a merge changes, for the officer to see before confirming."""

    employers: int
    cases: Cases
    moving_roles: list[RoleAssignment] = field(default_factory=list)
    losing: list[RoleAssignment] = field(default_factory=list)
    gaining: list[RoleAssignment] = field(default_factory=list)
    contents: list[Any] = field(default_factory=list)
    kept: int = 0
    refusal: str = ""


def _check_merge(source: AnyArea, target: AnyArea) -> None:
    if type(source) is not type(target):
        raise DomainError("Areas merge only into an area of the same kind.")
    if source.pk == target.pk:
        raise DomainError(f"Choose another {label(source)} to merge {source} into.", "into")
    for area in (source, target):
        if area.is_retired:
            raise DomainError(f"{area} is retired already.", "into")


def merge_preview(source: AnyArea, target: AnyArea) -> Preview:
    employers = area_employers(source)
    contents_name = CONTENTS[type(source)][0]
    preview = Preview(
        employers=employers.count(),
        cases=open_cases(employers),
        moving_roles=roles_for(**{_role_field(source): [source]}),
        gaining=roles_for(**{_role_field(target): [target]}),
        contents=list(getattr(source, contents_name).all()),
    )
    try:
        _check_merge(source, target)
        merging.check_movable(source, target)
    except DomainError as error:
        preview.refusal = error.message
    return preview


def _employers_within(area: AnyArea) -> QuerySet[Employer]:
    if isinstance(area, Region):
        return Employer.objects.filter(
            Q(local_authority__region=area) | Q(association__region=area)
        )
    if isinstance(area, Association):
        return Employer.objects.filter(association=area)
    if isinstance(area, District):
        return Employer.objects.filter(association__district=area)
    return Employer.objects.none()


def merge_areas(source: AnyArea, target: AnyArea, *, actor: Any) -> AnyArea:
    """Move everything in `source` (its local authorities or associations, employers, role
    assignments and any other link) to `target`; `source` retires, pointing to `target`."""
    kind = type(source)
    with transaction.atomic():
        pair = kind.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        locked = {a.pk: a for a in pair.order_by("pk")}
        source, target = locked[source.pk], locked[target.pk]
        _check_merge(source, target)
        source_before, target_before = _snapshot(source), _snapshot(target)
        retired_before = audit.snapshot(source, ["retired_at", "merged_into"])
        # The employers whose region or association the move changes, in bulk.
        touched = list(_employers_within(source).values_list("pk", flat=True))
        moved = merging.atomic_move(
            source, target, actor=actor, why=f"{source} merged into {target}"
        )
        employers_changed.send(sender=kind, employer_ids=touched)
        source.retired_at, source.merged_into = timezone.now(), target
        source.save(update_fields=["retired_at", "merged_into"])
        counts = {f"moved {name}": [0, n] for name, n in moved.counts.items()}
        name = kind._meta.model_name
        audit.record(
            [
                *moved.events,
                audit.Event(
                    action=f"{name}.merged",
                    summary=f"The {label(source)} {source} was merged into {target}",
                    target=source,
                    context=audit.context_of(source),
                    actor=actor,
                    changes={
                        **audit.diff(source_before, _snapshot(source)),
                        **audit.diff(
                            retired_before, audit.snapshot(source, ["retired_at", "merged_into"])
                        ),
                        **counts,
                    },
                ),
                audit.Event(
                    action=f"{name}.merged_in",
                    summary=f"The {label(source)} {source} was merged into {target}",
                    target=target,
                    context=audit.context_of(target),
                    actor=actor,
                    changes={
                        **audit.diff(target_before, _snapshot(target)),
                        "merged": [None, str(source)],
                        **counts,
                    },
                ),
            ]
        )
    return target


# --- retiring ------------------------------------------------------------------------------


def retire_blockers(area: AnyArea) -> list[str]:
    """What must move out of `area` before it may retire, each said as what to do."""
    blockers = []
    contents_name, one, where = CONTENTS[type(area)]
    inside = [str(x) for x in getattr(area, contents_name).all()]
    if isinstance(area, Region | District):
        inside = [str(a) for a in getattr(area, contents_name).current()]
    if inside:
        blockers.append(
            f"Move its {one}{'s' if len(inside) != 1 else ''} ({_names(inside)}) to {where}."
        )
    cases = open_cases(area_employers(area))
    if cases.total:
        blockers.append(
            f"It has {cases.total} open case{'s' if cases.total != 1 else ''} "
            f"({_names(cases.employer_names, cases.total)}): move those employers' association "
            "first."
        )
    roles = roles_for(**{_role_field(area): [area]})
    if roles:
        people = [f"{r.user} ({r.get_role_display().lower()})" for r in roles]
        blockers.append(f"End or move the roles held for it: {_names(people)}.")
    return blockers


def _names(names: list[str], total: int | None = None) -> str:
    total = len(names) if total is None else total
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {total - NAMES_SHOWN} more" if total > NAMES_SHOWN else "")


def retire_area(area: AnyArea, *, actor: Any) -> AnyArea:
    """Retire an empty area: kept for history, never chosen again."""
    kind = type(area)
    with transaction.atomic():
        area = kind.objects.select_for_update().get(pk=area.pk)
        if area.is_retired:
            raise DomainError(f"{area} is retired already.")
        blockers = retire_blockers(area)
        if blockers:
            raise DomainError(f"{area} cannot retire yet. " + " ".join(blockers))
        area.retired_at = timezone.now()
        area.save(update_fields=["retired_at"])
        audit.log_action(
            area,
            f"{kind._meta.model_name}.retired",
            actor=actor,
            summary=f"Retired the {label(area)} {area}",
            changes={"retired_at": [None, area.retired_at]},
        )
    return area


# --- moving a local authority ------------------------------------------------------------


def _following(authority: LocalAuthority, target: Association) -> QuerySet[Employer]:
    """The authority's employers whose association follows it (not set by hand) and changes."""
    return (
        Employer.objects.current()
        .filter(local_authority=authority, association_overridden=False)
        .exclude(association=target)
    )


def move_preview(authority: LocalAuthority, target: Association) -> Preview:
    """Whose cases change hands when `authority` moves to `target`: the people holding roles
    for the areas it leaves stop seeing them, those holding roles for where it goes start."""
    sources = list(authority.associations.current().select_related("district", "region"))
    following = _following(authority, target)
    old_districts = {a.district for a in sources} - {target.district}
    old_regions = {a.region for a in sources} - {target.region}
    preview = Preview(
        employers=following.count(),
        cases=open_cases(following),
        losing=roles_for(
            association=[a for a in sources if a.pk != target.pk],
            district=list(old_districts),
            region=list(old_regions),
        ),
        gaining=roles_for(
            association=[target],
            district=[target.district]
            if target.district not in {a.district for a in sources}
            else [],
            region=[target.region] if target.region not in {a.region for a in sources} else [],
        ),
        contents=sources,
        kept=Employer.objects.current()
        .filter(local_authority=authority, association_overridden=True)
        .count(),
    )
    try:
        _check_move(authority, target, sources)
    except DomainError as error:
        preview.refusal = error.message
    return preview


def _check_move(authority: LocalAuthority, target: Association, sources: list[Association]) -> None:
    if target.is_retired:
        raise DomainError(f"{target} is retired: choose another association.", "to")
    if [a.pk for a in sources] == [target.pk]:
        raise DomainError(f"{target} covers {authority} already.", "to")


def move_local_authority(
    authority: LocalAuthority, target: Association, *, actor: Any
) -> LocalAuthority:
    """`target` alone covers `authority` from now on; its employers' association follows,
    except where it was set by hand."""
    with transaction.atomic():
        authority = LocalAuthority.objects.select_for_update().get(pk=authority.pk)
        target = Association.objects.select_for_update().get(pk=target.pk)
        sources = list(authority.associations.current().order_by("pk"))
        _check_move(authority, target, sources)
        before = sorted(str(a) for a in authority.associations.all())
        for source in sources:
            if source.pk != target.pk:
                source.local_authorities.remove(authority)
        target.local_authorities.add(authority)
        moving = list(_following(authority, target).select_related("association"))
        Employer.objects.filter(pk__in=[e.pk for e in moving]).update(
            association=target, updated_at=timezone.now()
        )
        employers_changed.send(sender=Employer, employer_ids=[e.pk for e in moving])
        events = [
            audit.Event(
                action="localauthority.moved",
                summary=f"{authority} moved to {target}",
                target=authority,
                context=audit.context_of(authority),
                actor=actor,
                changes={
                    "associations": [before, sorted(str(a) for a in authority.associations.all())],
                    "employers moved": [0, len(moving)],
                },
            )
        ]
        for association, verb, change in [
            *[(s, "lost", [str(authority), None]) for s in sources if s.pk != target.pk],
            (target, "gained", [None, str(authority)]),
        ]:
            events.append(
                audit.Event(
                    action=f"association.local_authority_{verb}",
                    summary=f"{association} {verb} {authority}",
                    target=association,
                    context=audit.context_of(association),
                    actor=actor,
                    changes={"local_authority": change},
                )
            )
        events.extend(
            audit.Event(
                action="employer.association_set",
                summary=f"{e} moved to {target} with {authority}",
                target=e,
                context=audit.context_of(e),
                actor=actor,
                changes={
                    "association": [str(e.association) if e.association else None, str(target)]
                },
            )
            for e in moving
        )
        audit.record(events)
    return authority
