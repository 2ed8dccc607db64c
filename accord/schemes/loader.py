"""Loading the built-in schemes (the Valued Worker Scheme) from `schemes/data/`."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from accord.organisations.models import Union

from .models import Material, Principle, PrincipleVersion, Scheme

DATA_DIR = Path(__file__).parent / "data"


def _union(data: dict[str, str]) -> Union:
    union, _ = Union.objects.get_or_create(
        short_name=data["short_name"], defaults={"name": data["name"], "slug": data["slug"]}
    )
    return union


@transaction.atomic
def load_builtin_scheme(name: str = "vws") -> Scheme:
    """Create the scheme if it is missing. Never overwrites what officers have since edited."""
    data = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    scheme = Scheme.objects.filter(slug=data["slug"]).first()
    if scheme is not None:
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
    return scheme
