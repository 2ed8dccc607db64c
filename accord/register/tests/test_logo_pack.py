"""The logo pack, opened file by file as a member would: the logo at print and screen sizes, on
transparent and on white, the QR code as a picture that scans, and a one-page guide."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.membership.models import Membership
from accord.register import documents
from tests.world import PASSWORD, World

SITE_URL = "https://accord.example.org"
TRANSPARENT = (0, 0, 0, 0)
WHITE = (255, 255, 255)
# The placeholder logo is drawn 360 × 140: at 2400 and 600 pixels wide, 933 and 233 high.
PRINT_SIZE = (2400, 933)
SCREEN_SIZE = (600, 233)


@pytest.fixture
def member(world: World, settings) -> Membership:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE_URL
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def _pack(member: Membership) -> zipfile.ZipFile:
    response = Client().get(f"/register/{member.reference}/logo-pack.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _image(pack: zipfile.ZipFile, name: str) -> Image.Image:
    image = Image.open(io.BytesIO(pack.read(name)))
    assert image.format == "PNG", name
    image.load()
    return image


def _guide_text(pack: zipfile.ZipFile) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pack.read("logo-guide.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return len(reader.pages), text


def test_the_pack_holds_the_logo_at_print_and_screen_sizes_on_transparent_and_white(
    member: Membership,
) -> None:
    pack = _pack(member)
    assert sorted(pack.namelist()) == [
        "README.txt",
        "logo-guide.pdf",
        "logo-print-on-white.png",
        "logo-print-transparent.png",
        "logo-screen-on-white.png",
        "logo-screen-transparent.png",
        "logo.svg",
        "verification-qr.png",
        "verification-qr.svg",
    ]
    for name, size, dpi in [
        ("logo-print", PRINT_SIZE, 300),
        ("logo-screen", SCREEN_SIZE, 96),
    ]:
        transparent = _image(pack, f"{name}-transparent.png")
        assert (transparent.size, transparent.mode) == (size, "RGBA"), name
        assert transparent.getpixel((0, 0)) == TRANSPARENT  # outside the rounded corner
        on_white = _image(pack, f"{name}-on-white.png")
        assert (on_white.size, on_white.mode) == (size, "RGB"), name
        assert on_white.getpixel((0, 0)) == WHITE
        for image in (transparent, on_white):
            assert round(image.info["dpi"][0]) == dpi, name
            # The middle of the logo is its dark blue, the same on both.
            assert image.getpixel((size[0] // 2, size[1] // 2))[:3] == (29, 58, 95), name


def test_the_qr_code_in_the_pack_scans_to_the_verification_address(member: Membership) -> None:
    pack = _pack(member)
    address = f"{SITE_URL}/register/{member.reference}/"
    qr = _image(pack, "verification-qr.png")
    assert qr.width >= 500 and round(qr.info["dpi"][0]) == 300
    assert qr.getpixel((0, 0)) in (1, 255, WHITE)  # a light quiet zone
    assert [r.text for r in zxingcpp.read_barcodes(qr)] == [address]
    assert address in pack.read("README.txt").decode()


def test_the_guide_states_the_terms_accepted_and_what_to_do_when_the_membership_ends(
    world: World, member: Membership
) -> None:
    employer = world.users["employer"]
    employer.full_name = "Emma Grant"
    employer.save()
    accepted_at = Enrolment.objects.get().logo_terms_accepted_at
    pages, text = _guide_text(_pack(member))
    assert pages == 1
    assert "Using the Valued Worker Scheme logo" in text
    assert f"member reference {member.reference}" in text
    assert (
        "The scheme's logo may be used only while our membership is active, and we will stop "
        "using it if asked." in text
    )
    assert (
        f"Northtown High School accepted these terms on "
        f"{timezone.localdate(accepted_at):%-d %B %Y}, when it confirmed its commitment" in text
    )
    assert f"{SITE_URL}/register/{member.reference}/" in text
    assert "When the membership ends" in text
    assert "stop using the logo and the QR code" in text
    assert "take down the certificate of membership" in text
    assert "logo-print-transparent.png" in text and "verification-qr.png" in text
    # The pack is public, like the verification page: no person is named in it.
    assert employer.email not in text and employer.full_name not in text


def test_the_pack_of_an_uploaded_logo_has_it_at_both_sizes(
    world: World, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    buffer = io.BytesIO()
    logo = Image.new("RGBA", (3000, 1000), TRANSPARENT)
    logo.paste((200, 30, 40, 255), (500, 200, 2500, 800))
    logo.save(buffer, format="PNG")
    client = Client()
    assert client.login(username="officer@example.org", password=PASSWORD)
    upload = SimpleUploadedFile("logo.png", buffer.getvalue())
    assert client.post("/schemes/vws/logo/", {"logo": upload}).status_code == 302
    world.enrolment(State.LISTED)

    pack = _pack(Membership.objects.get())
    assert {"logo.png", "logo-small.png"} <= set(pack.namelist())
    for name, size in [("logo-print", (2400, 800)), ("logo-screen", (600, 200))]:
        transparent = _image(pack, f"{name}-transparent.png")
        assert transparent.size == size and transparent.getpixel((0, 0)) == TRANSPARENT
        assert transparent.getpixel((size[0] // 2, size[1] // 2)) == (200, 30, 40, 255)
        on_white = _image(pack, f"{name}-on-white.png")
        assert on_white.size == size and on_white.getpixel((0, 0)) == WHITE


def test_the_pack_is_named_after_the_employer(member: Membership) -> None:
    response = Client().get(f"/register/{member.reference}/logo-pack.zip")
    assert response["Content-Disposition"] == (
        'attachment; filename="northtown-high-school-logo-pack.zip"'
    )


def test_the_pack_is_drawn_once_until_what_it_shows_changes(
    member: Membership, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    drawn: list[str] = []
    draw = documents.logo_pack
    monkeypatch.setattr(
        documents,
        "logo_pack",
        lambda membership: drawn.append(membership.reference) or draw(membership),
    )
    first = _pack(member)
    assert set(_pack(member).namelist()) == set(first.namelist())
    assert drawn == [member.reference]

    settings.MEDIA_ROOT = tmp_path / "uploads"
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 200), (200, 30, 40, 255)).save(buffer, format="PNG")
    client = Client()
    assert client.login(username="officer@example.org", password=PASSWORD)
    upload = SimpleUploadedFile("logo.png", buffer.getvalue())
    assert client.post("/schemes/vws/logo/", {"logo": upload}).status_code == 302
    assert "logo.png" in _pack(member).namelist()
    assert len(drawn) == 2


def test_the_pack_and_the_certificate_answer_only_reading_requests(member: Membership) -> None:
    client = Client()
    for path in ("logo-pack.zip", "certificate.pdf"):
        url = f"/register/{member.reference}/{path}"
        assert client.head(url).status_code == 200
        for method in (client.post, client.put, client.delete):
            assert method(url).status_code == 405
