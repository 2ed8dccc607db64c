"""The public home page says what the scheme is, shows the principles in force, how joining
works and the materials, and leads an employer to ask to join."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accord.schemes.models import Material
from tests.world import World


def test_the_home_page_shows_the_current_principles_joining_materials_and_asking_to_join(
    world: World,
) -> None:
    principle = world.scheme.principles.get(number=4)
    old = principle.versions.order_by("-version").first().wording
    principle.reword("Pay everyone, outsourced workers included, at least the real Living Wage.")
    public = Material.objects.create(
        scheme=world.scheme,
        title="Employer information",
        url="https://example.org/info.pdf",
        public=True,
    )
    Material.objects.create(
        scheme=world.scheme, title="Notes for the unions", url="https://example.org/internal"
    )
    page = Client().get(reverse("home")).content.decode()
    principles = re.search(r'data-testid="principles">(.*?)</ol>', page, re.S).group(1)
    assert "outsourced workers included" in principles and old not in principles
    assert principles.count("<li>") == world.scheme.principles.count()
    assert reverse("process") in page
    # Public materials only, each through the scheme's own address for it.
    material_url = reverse("scheme-material", args=[world.scheme.slug, public.pk])
    assert f'href="{material_url}">Employer information</a>' in page
    assert "Notes for the unions" not in page
    assert Client().get(material_url)["Location"] == "https://example.org/info.pdf"
    assert reverse("join-request-new") in page
    assert "Register of member employers" in page


def test_the_register_is_called_the_register_of_member_employers(world: World) -> None:
    page = Client().get(reverse("register")).content.decode()
    assert "<h1>Register of member employers</h1>" in page
    assert ">Register of member employers</a>" in page  # the navigation
