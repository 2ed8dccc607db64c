"""Changing schemes, their principles, materials and logo: each change in one transaction,
audited with what it was before and after.

Who may make these changes is checked by the pages, through `accounts.rules` (above this app):
`can_create_scheme` and `can_manage_scheme`.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accord.core import audit, uploads
from accord.core.errors import DomainError

from . import files
from .models import Material, Principle, PrincipleVersion, Scheme

SCHEME_FIELDS = (
    "name",
    "slug",
    "lead_union",
    "partner_unions",
    "default_cycle_months",
    "lapse_grace_months",
    "summary",
    "principles_preamble",
    "contact_email",
)
MATERIAL_FIELDS = ("title", "url", "file_name", "position", "public")


def _scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    values = audit.snapshot(scheme, [f for f in SCHEME_FIELDS if f != "partner_unions"])
    values["partner_unions"] = sorted(str(u) for u in scheme.partner_unions.all())
    return values


def _check_unions(data: dict[str, Any]) -> None:
    if data["lead_union"] in list(data.get("partner_unions") or []):
        raise DomainError("The lead union cannot also be a partner union.", field="partner_unions")


# Addresses under /schemes/ that a scheme's short name would hide.
RESERVED_SLUGS = frozenset({"new"})


def _check_unique(scheme: Scheme | None, data: dict[str, Any]) -> None:
    if data["slug"] in RESERVED_SLUGS:
        raise DomainError("This short name is taken by a page: choose another.", field="slug")
    others = Scheme.objects.exclude(pk=scheme.pk) if scheme else Scheme.objects.all()
    if others.filter(name__iexact=data["name"]).exists():
        raise DomainError("Another scheme has this name.", field="name")
    if others.filter(slug=data["slug"]).exists():
        raise DomainError("Another scheme has this short name in its address.", field="slug")


def create_scheme(*, actor: Any, data: dict[str, Any]) -> Scheme:
    """A new scheme; its principles and materials are added afterwards."""
    _check_unions(data)
    with transaction.atomic():
        _check_unique(None, data)
        scheme = Scheme.objects.create(
            **{k: data[k] for k in SCHEME_FIELDS if k != "partner_unions" and k in data}
        )
        scheme.partner_unions.set(data.get("partner_unions") or [])
        audit.log_action(
            scheme,
            "scheme.create",
            actor=actor,
            summary=f"{actor} created the scheme {scheme.name}",
            changes=audit.diff({}, _scheme_snapshot(scheme)),
        )
    return scheme


def edit_scheme(scheme: Scheme, *, actor: Any, data: dict[str, Any]) -> Scheme:
    _check_unions(data)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        _check_unique(scheme, data)
        before = _scheme_snapshot(scheme)
        for name in SCHEME_FIELDS:
            if name != "partner_unions" and name in data:
                setattr(scheme, name, data[name])
        scheme.save()
        scheme.partner_unions.set(data.get("partner_unions") or [])
        changes = audit.diff(before, _scheme_snapshot(scheme))
        if changes:
            audit.log_action(
                scheme,
                "scheme.edit",
                actor=actor,
                summary=f"{actor} edited the scheme {scheme.name}",
                changes=changes,
            )
    return scheme


# --- principles ----------------------------------------------------------------------------


def _principle_context(principle: Principle) -> str:
    # A principle's history is part of its scheme's.
    return f"scheme:{principle.scheme_id}"


def add_principle(
    scheme: Scheme, *, actor: Any, short_title: str, wording: str, footnote: str = ""
) -> Principle:
    """A new principle, numbered after the last, with its first version."""
    with transaction.atomic():
        Scheme.objects.select_for_update().get(pk=scheme.pk)
        number = (scheme.principles.aggregate(last=Max("number"))["last"] or 0) + 1
        principle = Principle.objects.create(
            scheme=scheme, number=number, short_title=short_title.strip()
        )
        version = PrincipleVersion.objects.create(
            principle=principle, version=1, wording=wording.strip(), footnote=footnote.strip()
        )
        audit.log_action(
            principle,
            "principle.add",
            actor=actor,
            summary=f"{actor} added principle {number} to {scheme.name}",
            context=_principle_context(principle),
            changes=audit.diff(
                {},
                {
                    "number": number,
                    "short_title": principle.short_title,
                    "version": 1,
                    "wording": version.wording,
                    "footnote": version.footnote,
                },
            ),
        )
    return principle


def current_version(principle: Principle) -> PrincipleVersion:
    return principle.versions.order_by("-version").first()  # type: ignore[return-value]


def edit_principle(
    principle: Principle,
    *,
    actor: Any,
    short_title: str,
    wording: str,
    footnote: str = "",
    reason: str = "",
) -> Principle:
    """Retitle a principle and/or reword it. A rewording is a new version: no version is ever
    edited, so every cycle keeps the wording it was agreed under."""
    short_title, wording, footnote = short_title.strip(), wording.strip(), footnote.strip()
    with transaction.atomic():
        # Locked, so that two rewordings at once make versions n+1 and n+2, not a clash.
        principle = Principle.objects.select_for_update().get(pk=principle.pk)
        current = current_version(principle)
        reworded = (wording, footnote) != (current.wording, current.footnote)
        retitled = short_title != principle.short_title
        if not reworded and not retitled:
            raise DomainError(
                "Nothing was changed: edit the title or the wording.", field="wording"
            )
        if retitled:
            audit.log_action(
                principle,
                "principle.retitle",
                actor=actor,
                summary=f"{actor} retitled principle {principle.number}",
                context=_principle_context(principle),
                changes={"short_title": [principle.short_title, short_title]},
            )
            principle.short_title = short_title
            principle.save(update_fields=["short_title"])
        if reworded:
            version = principle.reword(wording, footnote, reason=reason.strip())
            audit.log_action(
                version,
                "principle.reword",
                actor=actor,
                summary=f"{actor} reworded principle {principle.number} (version "
                f"{version.version})",
                context=_principle_context(principle),
                changes=audit.diff(
                    {
                        "version": current.version,
                        "wording": current.wording,
                        "footnote": current.footnote,
                    },
                    {
                        "version": version.version,
                        "wording": version.wording,
                        "footnote": version.footnote,
                    },
                ),
                note=version.reason,
            )
    return principle


# --- materials -----------------------------------------------------------------------------


def _material_context(material: Material) -> str:
    return f"scheme:{material.scheme_id}"


def _check_link_or_file(url: str, file: UploadedFile | None, has_file: bool = False) -> None:
    if url and (file is not None or has_file):
        raise DomainError("Give either a link or a file, not both.", field="url")
    if not url and file is None and not has_file:
        raise DomainError("Give a link, or choose a file to upload.", field="file")


def _store(material: Material, file: UploadedFile, checked: tuple[str, uploads.Kind]) -> None:
    name, kind = checked
    material.file.save("material", file, save=False)
    material.file_name = name
    material.content_type = kind.content_type
    material.size = file.size or 0


def add_material(
    scheme: Scheme,
    *,
    actor: Any,
    title: str,
    url: str = "",
    file: UploadedFile | None = None,
    public: bool = False,
    position: int | None = None,
) -> Material:
    _check_link_or_file(url, file)
    # Refused before anything is written.
    checked = files.check_material(file) if file is not None else None
    with transaction.atomic():
        Scheme.objects.select_for_update().get(pk=scheme.pk)
        if position is None:
            last = scheme.materials.current().aggregate(last=Max("position"))["last"]
            position = (last or 0) + 1
        material = Material(
            scheme=scheme, title=title.strip(), url=url, public=public, position=position
        )
        if file is not None and checked is not None:
            _store(material, file, checked)
        material.save()
        audit.log_action(
            material,
            "material.add",
            actor=actor,
            summary=f"{actor} added the material “{material.title}” to {scheme.name}",
            context=_material_context(material),
            changes=audit.diff({}, audit.snapshot(material, MATERIAL_FIELDS)),
        )
    return material


def edit_material(
    material: Material,
    *,
    actor: Any,
    title: str,
    url: str = "",
    file: UploadedFile | None = None,
    public: bool = False,
    position: int | None = None,
) -> Material:
    """Change a material; a new file replaces the old one, and a link replaces a file."""
    checked = files.check_material(file) if file is not None else None
    with transaction.atomic():
        material = Material.objects.select_for_update().get(pk=material.pk)
        _check_link_or_file(url, file, has_file=bool(material.file) and not url)
        before = audit.snapshot(material, MATERIAL_FIELDS)
        material.title, material.url, material.public = title.strip(), url, public
        if position is not None:
            material.position = position
        if url:
            material.file, material.file_name, material.content_type, material.size = "", "", "", 0
        if file is not None and checked is not None:
            _store(material, file, checked)
        material.save()
        changes = audit.diff(before, audit.snapshot(material, MATERIAL_FIELDS))
        if file is not None:
            changes.setdefault("file_name", [before["file_name"], material.file_name])
            changes["file"] = [None, "replaced"]
        if changes:
            audit.log_action(
                material,
                "material.edit",
                actor=actor,
                summary=f"{actor} edited the material “{material.title}”",
                context=_material_context(material),
                changes=changes,
            )
    return material


def move_material(material: Material, *, actor: Any, up: bool) -> Material:
    """Swap a material with its neighbour above (or below) in the scheme's order."""
    with transaction.atomic():
        Scheme.objects.select_for_update().get(pk=material.scheme_id)
        ordered = list(
            Material.objects.filter(scheme_id=material.scheme_id)
            .current()
            .order_by("position", "title", "pk")
        )
        index = next(i for i, m in enumerate(ordered) if m.pk == material.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ordered):
            return ordered[index]
        before = [m.title for m in ordered]
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        audit.log_action(
            ordered[other],
            "material.move",
            actor=actor,
            summary=f"{actor} moved the material “{ordered[other].title}” {'up' if up else 'down'}",
            context=_material_context(ordered[other]),
            changes={"order": [before, [m.title for m in ordered]]},
        )
        return ordered[other]


def remove_material(material: Material, *, actor: Any) -> Material:
    """No longer offered or served; kept so that the enrolments it was sent to still name it."""
    with transaction.atomic():
        material = Material.objects.select_for_update().get(pk=material.pk)
        if material.removed_at is not None:
            return material
        material.removed_at = timezone.now()
        material.save(update_fields=["removed_at"])
        audit.log_action(
            material,
            "material.remove",
            actor=actor,
            summary=f"{actor} removed the material “{material.title}”",
            context=_material_context(material),
            changes={"removed_at": [None, audit.jsonable(material.removed_at)]},
        )
    return material


# --- logo ----------------------------------------------------------------------------------


def upload_logo(scheme: Scheme, *, actor: Any, file: UploadedFile) -> Scheme:
    """Check the PNG and store it re-encoded; the logo pack uses it from now on."""
    return uploads.replace_file(
        scheme,
        "logo",
        files.check_logo(file),
        filename="logo.png",
        actor=actor,
        verb="scheme.logo",
        summary=f"{actor} uploaded a logo for {scheme.name}",
    )
