"""The QR code of a verification page scans wherever it is put: drawn by the SVG renderer a
browser would use and read by a QR decoder, on white, on a dark page and on a transparent one."""

from __future__ import annotations

import hashlib
import io

import cairosvg
import pytest
import zxingcpp
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from accord.enrolments.process import State
from accord.membership.models import Membership
from accord.register import documents
from tests.world import World

SITE_URL = "https://accord.example.org"
# The brand's dark blue, the colour of the site's header: a page a QR code may be printed on.
DARK = (29, 58, 95)
# The SVG draws each module 6 pixels wide, and the standard asks for 4 light modules round it.
QUIET_ZONE = 4 * 6


@pytest.fixture
def member(world: World, settings) -> Membership:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE_URL
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def _drawn(svg: bytes) -> Image.Image:
    """The SVG as a browser draws it: transparent wherever it paints nothing."""
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg))).convert("RGBA")


def _decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_qr_code_scans_to_the_verification_address_on_white_dark_and_transparent(
    member: Membership,
) -> None:
    address = f"{SITE_URL}/register/{member.reference}/"
    response = Client().get(reverse("verification-qr", args=[member.reference]))
    assert response["Content-Type"] == "image/svg+xml"
    drawn = _drawn(response.content)

    assert _decoded(drawn) == [address]  # as drawn, transparent where it paints nothing
    for colour in [(255, 255, 255), DARK, (0, 0, 0)]:
        page = Image.new("RGB", (drawn.width + 80, drawn.height + 80), colour)
        page.paste(drawn, (40, 40), drawn)
        assert _decoded(page) == [address], colour


def test_the_qr_code_has_an_opaque_light_quiet_zone_of_four_modules(member: Membership) -> None:
    drawn = _drawn(Client().get(reverse("verification-qr", args=[member.reference])).content)
    edge = [
        drawn.getpixel((x, y))
        for x in range(drawn.width)
        for y in range(drawn.height)
        if min(x, y, drawn.width - 1 - x, drawn.height - 1 - y) < QUIET_ZONE
    ]
    assert set(edge) == {(255, 255, 255, 255)}
    # Just inside it, the corner of the top-left finder pattern.
    assert drawn.getpixel((QUIET_ZONE, QUIET_ZONE)) == (0, 0, 0, 255)


def test_the_verification_page_shows_the_same_scannable_code(member: Membership) -> None:
    page = Client().get(member.get_absolute_url()).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert _decoded(_drawn(svg.encode())) == [f"{SITE_URL}/register/{member.reference}/"]


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_qr_code_cached_before_it_had_a_background_is_not_served(member: Membership) -> None:
    address = f"{SITE_URL}/register/{member.reference}/"
    # What was kept for a week under the address's key before the code had a background.
    before = "register:qr:" + hashlib.sha256(address.encode()).hexdigest()[:40]
    caches["default"].set(before, '<svg xmlns="http://www.w3.org/2000/svg">stale</svg>')
    svg = documents.qr_svg_for(address)
    assert "stale" not in svg
    assert _decoded(_drawn(svg.encode())) == [address]
