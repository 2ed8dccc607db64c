"""Loading the built-in schemes (the Valued Worker Scheme) from `schemes/data/`."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from accord.core import audit
from accord.organisations.models import Union

from .models import Material, Principle, PrincipleVersion, Scheme

DATA_DIR = Path(__file__).parent / "data"


def _union(data: dict[str, str]) -> Union:
    union, _ = Union.objects.get_or_create(
        short_name=data["short_name"], defaults={"name": data["name"], "slug": data["slug"]}
    )
    return union


def _add_rewordings(scheme: Scheme, data: dict) -> None:
    """Give each principle the built-in versions after its first (the 2024 relaunch wording),
    where the database does not have them yet. A version is added only on top of the one
    before it, so running again adds nothing, and a principle officers have since reworded
    themselves is left as they made it."""
    principles = {p.number: p for p in scheme.principles.all()}
    for item in data["principles"]:
        principle = principles.get(item["number"])
        if principle is None:
            continue
        for rewording in item.get("rewordings", []):
            latest = principle.versions.order_by("-version").first()
            if latest is None or latest.version != rewording["version"] - 1:
                continue
            version = principle.reword(
                rewording["wording"],
                rewording.get("footnote", ""),
                reason=rewording.get("reason", ""),
            )
            audit.log_action(
                version,
                "principle.reword",
                actor=None,
                summary=f"The built-in data added version {version.version} of principle "
                f"{principle.number}",
                context=f"scheme:{scheme.pk}",
                changes=audit.diff(
                    {"version": latest.version, "wording": latest.wording},
                    {"version": version.version, "wording": version.wording},
                ),
                note=version.reason,
            )


@transaction.atomic
def load_builtin_scheme(name: str = "vws") -> Scheme:
    """Create the scheme if it is missing, and add the built-in rewordings of its principles
    that are missing. Never overwrites what officers have since edited."""
    data = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    scheme = (
        Scheme.objects.filter(slug=data["slug"]).first()
        or Scheme.objects.filter(name=data["name"]).first()
    )
    if scheme is not None:
        _add_rewordings(scheme, data)
        return scheme
    scheme = Scheme.objects.create(
        name=data["name"],
        slug=data["slug"],
        lead_union=_union(data["lead_union"]),
        summary=data["summary"],
        principles_preamble=data["principles_preamble"],
        default_cycle_months=data["default_cycle_months"],
    )
    scheme.partner_unions.set([_union(item) for item in data["partner_unions"]])
    for item in data["principles"]:
        principle = Principle.objects.create(
            scheme=scheme, number=item["number"], short_title=item["short_title"]
        )
        PrincipleVersion.objects.create(
            principle=principle,
            version=1,
            wording=item["wording"],
            footnote=item.get("footnote", ""),
        )
    for position, item in enumerate(data["materials"], start=1):
        Material.objects.create(
            scheme=scheme, title=item["title"], url=item["url"], position=position
        )
    _add_rewordings(scheme, data)
    return scheme
