"""Changes to employers made by national officers: their details, their association (set by
hand or following the local authority's), and merging a duplicate into the record that carries
on. Each runs in one transaction and records its change, before and after, in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from accord.core import audit, uploads
from accord.core.errors import DomainError
from accord.core.signals import employers_changed

from . import merging
from .models import Association, Employer, LocalAuthority, Union

# What an officer edits on the details page.
DETAIL_FIELDS = (
    "name",
    "kind",
    "urn",
    "companies_house_number",
    "la_code",
    "ukprn",
    "gias_group_uid",
    "establishment_type",
    "street",
    "town",
    "postcode",
    "local_authority",
    "parent",
)
PLACE_FIELDS = ("association", "association_overridden")
IDENTIFIERS = ("urn", "companies_house_number", "la_code", "ukprn", "gias_group_uid")


def association_for(authority: LocalAuthority | None) -> Association | None:
    """The current association covering a local authority (the first by name), if any."""
    if authority is None:
        return None
    return authority.associations.current().order_by("name", "pk").first()


def full_clean(instance: models.Model, exclude: tuple[str, ...] = ()) -> None:
    """`instance.full_clean()`, its first complaint raised as a DomainError on its field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            raise DomainError(messages[0], None if name == "__all__" else name) from error


def _locked(employer: Employer) -> Employer:
    locked = Employer.objects.select_for_update().get(pk=employer.pk)
    if locked.merged_into_id is not None:
        raise DomainError(f"{locked} was merged into another employer: change that one instead.")
    return locked


def edit_employer(employer: Employer, *, actor: Any, data: dict[str, Any]) -> Employer:
    """Change an employer's details. A new local authority brings its association along,
    unless the association was set by hand."""
    with transaction.atomic():
        employer = _locked(employer)
        fields = (*DETAIL_FIELDS, *PLACE_FIELDS)
        before = audit.snapshot(employer, fields)
        old_authority_id = employer.local_authority_id
        parent = data.get("parent")
        if parent is not None and (parent.pk == employer.pk or parent.parent_id == employer.pk):
            raise DomainError("An employer cannot be part of itself or of its own part.", "parent")
        for name in DETAIL_FIELDS:
            if name in data:
                setattr(employer, name, data[name])
        if not employer.association_overridden and employer.local_authority_id != old_authority_id:
            following = association_for(employer.local_authority)
            if following is not None:
                employer.association = following
        # The association is unchanged or a current one (a retired one may remain from before).
        full_clean(employer, exclude=("association",))
        employer.save()
        changes = audit.diff(before, audit.snapshot(employer, fields))
        if changes:
            audit.log_action(
                employer,
                "employer.edited",
                actor=actor,
                summary=f"Edited the details of {employer}",
                changes=changes,
            )
    return employer


def set_association(
    employer: Employer, *, actor: Any, association: Association | None, follow: bool
) -> Employer:
    """Set the association by hand (it stays when the local authority moves), or let it follow
    the local authority's again."""
    with transaction.atomic():
        employer = _locked(employer)
        before = audit.snapshot(employer, PLACE_FIELDS)
        if follow:
            following = association_for(employer.local_authority)
            if following is None:
                raise DomainError(
                    f"No association covers {employer}'s local authority "
                    f"({employer.local_authority or 'none recorded'}): choose one by hand.",
                    "association",
                )
            employer.association, employer.association_overridden = following, False
        else:
            if association is None:
                raise DomainError("Choose an association.", "association")
            if association.is_retired:
                raise DomainError(f"{association} is retired: choose another.", "association")
            employer.association, employer.association_overridden = association, True
        employer.save(update_fields=["association", "association_overridden", "updated_at"])
        changes = audit.diff(before, audit.snapshot(employer, PLACE_FIELDS))
        if changes:
            audit.log_action(
                employer,
                "employer.association_set",
                actor=actor,
                summary=f"{employer}'s association is {employer.association}"
                + (" (follows its local authority)" if follow else " (set by hand)"),
                changes=changes,
            )
    return employer


SELF_LINKS = {
    "parent": "Employers that are part of it",
    "merged_into": "Duplicates merged into it before",
}


@dataclass(frozen=True)
class MergeLine:
    label: str
    count: int


def merge_preview(duplicate: Employer, survivor: Employer) -> tuple[list[MergeLine], str]:
    """What merging `duplicate` into `survivor` would move, and why it would be refused ("" if
    it would not be)."""
    lines = []
    for link in merging.links(Employer):
        if link.plain_table:
            continue
        count = link.model._base_manager.filter(**{link.name: duplicate}).count()
        if count:
            meta = link.model._meta
            label = str(meta.verbose_name_plural).capitalize()
            if link.model is Employer:
                label = SELF_LINKS.get(link.name, label)
            lines.append(MergeLine(label, count))
    try:
        _check_merge(duplicate, survivor)
        merging.check_movable(duplicate, survivor)
    except DomainError as error:
        return lines, error.message
    return lines, ""


def _check_merge(duplicate: Employer, survivor: Employer) -> None:
    if duplicate.pk == survivor.pk:
        raise DomainError("Choose another employer to keep: this is the duplicate itself.")
    for employer in (duplicate, survivor):
        if employer.merged_into_id is not None:
            raise DomainError(f"{employer} was merged into another employer already.")
    if survivor.parent_id == duplicate.pk:
        raise DomainError(
            f"{survivor} is part of {duplicate}: keep {duplicate} instead, or change "
            f"{survivor}'s parent first."
        )


def merge_employers(duplicate: Employer, survivor: Employer, *, actor: Any) -> Employer:
    """Move everything that points at `duplicate` to `survivor`, and keep the duplicate as a
    retired record pointing to it. Refused (nothing changes) when a rule would break."""
    with transaction.atomic():
        pair = Employer.objects.select_for_update().filter(pk__in=[duplicate.pk, survivor.pk])
        locked = {e.pk: e for e in pair.order_by("pk")}
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        _check_merge(duplicate, survivor)
        fields = (*IDENTIFIERS, *PLACE_FIELDS, "merged_into", "merged_at")
        dup_before = audit.snapshot(duplicate, fields)
        kept_before = audit.snapshot(survivor, fields)
        moved = merging.atomic_move(
            duplicate,
            survivor,
            actor=actor,
            why=f"{duplicate} merged into {survivor}",
        )
        # Identifiers the survivor lacks come over (cleared first: each is unique).
        taken = {
            name: getattr(duplicate, name)
            for name in IDENTIFIERS
            if getattr(duplicate, name) and not getattr(survivor, name)
        }
        for name in taken:
            setattr(duplicate, name, "")
        duplicate.merged_into, duplicate.merged_at = survivor, timezone.now()
        duplicate.save()
        for name, value in taken.items():
            setattr(survivor, name, value)
        if survivor.association_id is None and duplicate.association_id is not None:
            survivor.association = duplicate.association
            survivor.association_overridden = duplicate.association_overridden
        survivor.save()
        # Memberships, enrolments and the rest moved in bulk, unseen by the saves above.
        employers_changed.send(sender=Employer, employer_ids=[duplicate.pk, survivor.pk])
        moved_counts = {f"moved {label}": [0, n] for label, n in moved.counts.items()}
        audit.record(
            [
                *moved.events,
                audit.Event(
                    action="employer.merged",
                    summary=f"{duplicate} was merged into {survivor}",
                    target=duplicate,
                    context=audit.context_of(duplicate),
                    actor=actor,
                    changes={
                        **audit.diff(dup_before, audit.snapshot(duplicate, fields)),
                        **moved_counts,
                    },
                ),
                audit.Event(
                    action="employer.merged_in",
                    summary=f"{duplicate} was merged into {survivor}",
                    target=survivor,
                    context=audit.context_of(survivor),
                    actor=actor,
                    changes={
                        **audit.diff(kept_before, audit.snapshot(survivor, fields)),
                        "merged": [None, f"{duplicate} (#{duplicate.pk})"],
                        **moved_counts,
                    },
                ),
            ]
        )
    return survivor


# --- a union's logo -------------------------------------------------------------------------
# Who may change it is decided in accounts.rules.can_manage_union; the pages ask it first.


def upload_union_logo(union: Union, *, actor: Any, file: UploadedFile) -> Union:
    """Check the PNG and store it re-encoded; the joint letter's letterhead shows it."""
    return uploads.replace_file(
        union,
        "logo",
        uploads.check_png(file, limit=settings.UNION_LOGO_MAX_BYTES, field="logo"),
        filename="logo.png",
        actor=actor,
        verb="union.logo",
        summary=f"{actor} uploaded a logo for {union.short_name}",
    )


def remove_union_logo(union: Union, *, actor: Any) -> Union:
    """The letterhead shows the union's name alone from now on."""
    if not union.logo:
        raise DomainError(f"{union.short_name} has no logo to remove.")
    return uploads.replace_file(
        union,
        "logo",
        None,
        filename="",
        actor=actor,
        verb="union.logo_removed",
        summary=f"{actor} removed the logo of {union.short_name}",
    )
