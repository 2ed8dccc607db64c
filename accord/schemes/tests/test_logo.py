"""The scheme's logo: a real PNG of a sane size, re-encoded on upload, served through a view and
put in every member's logo pack in place of the placeholder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin

from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership.models import Membership
from tests.world import PASSWORD, World

from .images import jpeg, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _upload(content: bytes, name: str = "logo.png"):  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username="officer@example.org", password=PASSWORD)
    return client.post("/schemes/vws/logo/", {"logo": SimpleUploadedFile(name, content)})


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def test_the_logo_pack_holds_the_uploaded_logo_instead_of_the_placeholder(world: World) -> None:
    uploaded = png((800, 400), (12, 34, 56))
    assert _upload(uploaded).status_code == 302
    world.scheme.refresh_from_db()
    with world.scheme.logo.open("rb") as stored:
        stored_bytes = stored.read()
    assert _pixels(stored_bytes) == _pixels(uploaded)

    world.enrolment(State.LISTED)
    member = Membership.objects.get()
    response = Client().get(f"/register/{member.reference}/logo-pack.zip")
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(pack.namelist()) == [
        "README.txt",
        "logo-guide.pdf",
        "logo-print-on-white.png",
        "logo-print-transparent.png",
        "logo-screen-on-white.png",
        "logo-screen-transparent.png",
        "logo-small.png",
        "logo.png",
        "verification-qr.png",
        "verification-qr.svg",
    ]
    assert pack.read("logo.png") == stored_bytes
    with Image.open(io.BytesIO(pack.read("logo-small.png"))) as small:
        assert small.size == (300, 150)
        assert small.getpixel((10, 10))[:3] == (12, 34, 56)


def test_the_logo_is_served_as_a_png_to_anyone_and_its_upload_is_audited(world: World) -> None:
    assert Client().get("/schemes/vws/logo.png").status_code == 404  # none yet
    _upload(png())
    response = Client().get("/schemes/vws/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="scheme.logo")
    assert event.actor == world.users["officer"]
    assert event.changes["logo"][0] is None and event.changes["logo"][1].endswith(".png")


def test_text_hidden_in_a_png_is_not_kept(world: World) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(buffer, format="PNG", pnginfo=info)
    assert b"<script>" in buffer.getvalue()
    assert _upload(buffer.getvalue()).status_code == 302
    world.scheme.refresh_from_db()
    with world.scheme.logo.open("rb") as stored:
        assert b"<script>" not in stored.read()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "must be a PNG",
        ),
        (jpeg(), "must be a PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a readable PNG"),
        (png((5000, 100)), "each side must be between 32 and 4000 pixels"),
        (png((10, 10)), "each side must be between 32 and 4000 pixels"),
        (b"", "The logo file is empty"),
    ],
)
def test_a_refused_logo_is_named_on_the_logo_field_and_nothing_changes(
    world: World, content: bytes, message: str
) -> None:
    response = _upload(content)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["logo"]
    assert message in errors["logo"][0] and "logo" in errors["logo"][0].lower()
    assert 'href="#id_logo"' in response.content.decode()
    world.scheme.refresh_from_db()
    assert not world.scheme.logo


def test_a_logo_over_the_size_limit_is_refused_saying_the_limit(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SCHEME_LOGO_MAX_BYTES = 1024
    response = _upload(png((1000, 1000), (5, 5, 5)) + b"\x00" * 2048)
    assert response.status_code in (400, 413)
    assert "no larger than 1 KB" in response.content.decode()
