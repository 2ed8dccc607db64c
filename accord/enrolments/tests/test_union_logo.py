"""A union's logo: uploaded by its national officers on the union's page as a checked PNG,
audited, served as a picture, and printed in the joint letter's letterhead (printable page, PDF
and .docx) beside the names of the unions that sign it."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from accord.accounts.models import User
from accord.core.models import AuditEvent
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from accord.schemes.tests.images import jpeg, png
from tests.world import PASSWORD, World

NASUWT_NAME = "NASUWT, The Teachers' Union"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _client(persona: str) -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _upload(content: bytes, persona: str = "officer", name: str = "logo.png"):  # type: ignore[no-untyped-def]
    return _client(persona).post("/unions/nasuwt/", {"logo": SimpleUploadedFile(name, content)})


@pytest.fixture
def with_logo(world: World) -> bytes:
    """NASUWT, the lead union, has a logo (a red 200 × 100 PNG); GMB and UNISON have none."""
    response = _upload(png((200, 100), (200, 30, 40)))
    assert response.status_code == 302
    return png((200, 100), (200, 30, 40))


# --- the union's page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("other_officer", 403),  # a national officer of UNISON
        ("secretary", 403),
        ("rep", 403),
        ("employer", 403),
        ("auditor", 403),
    ],
)
def test_the_unions_page_is_for_its_national_officers(
    world: World, persona: str, status: int
) -> None:
    assert _client(persona).get("/unions/nasuwt/").status_code == status


def test_signed_out_the_unions_page_asks_to_sign_in(world: World) -> None:
    response = Client().get("/unions/nasuwt/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_scheme_page_leads_a_national_officer_to_their_unions_page(world: World) -> None:
    page = _client("officer").get("/schemes/vws/").content.decode()
    assert "Your union" in page and 'href="/unions/nasuwt/"' in page
    # UNISON's officer reads the scheme and finds their own union, not the lead union's.
    page = _client("other_officer").get("/schemes/vws/").content.decode()
    assert 'href="/unions/unison/"' in page and 'href="/unions/nasuwt/"' not in page


def test_the_upload_is_re_encoded_served_as_a_png_and_audited(world: World) -> None:
    assert Client().get("/unions/nasuwt/logo.png").status_code == 404  # none yet
    assert _upload(png((200, 100), (12, 34, 56))).status_code == 302
    response = Client().get("/unions/nasuwt/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "PNG" and image.size == (200, 100)
        assert image.getpixel((5, 5))[:3] == (12, 34, 56)
    event = AuditEvent.objects.get(action="union.logo")
    assert event.actor == world.users["officer"]
    before, after = event.changes["logo"]
    assert before is None and after.startswith("union-logos/") and after.endswith(".png")
    # The uploaded name chooses nothing about where the file is kept.
    assert "logo.png" not in after.removeprefix("union-logos/")


def test_a_file_that_is_not_a_png_is_refused_naming_the_field(world: World) -> None:
    response = _upload(jpeg(), name="logo.png")
    assert response.status_code == 400
    assert response.context["form"].errors["logo"] == [
        "The logo must be a PNG image (other formats, SVG included, are not accepted)."
    ]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _upload(svg, name="logo.svg").status_code == 400
    world.unions["NASUWT"].refresh_from_db()
    assert not world.unions["NASUWT"].logo
    assert not AuditEvent.objects.filter(action="union.logo").exists()


def test_another_unions_officer_can_neither_upload_nor_remove(world: World, with_logo) -> None:  # type: ignore[no-untyped-def]
    assert _upload(png(), persona="other_officer").status_code == 403
    remove = _client("other_officer").post("/unions/nasuwt/logo/remove/")
    assert remove.status_code == 403
    assert AuditEvent.objects.filter(action="union.logo").count() == 1


def test_removing_the_logo_is_audited_and_leaves_the_name(world: World, with_logo) -> None:  # type: ignore[no-untyped-def]
    world.unions["NASUWT"].refresh_from_db()
    stored = world.unions["NASUWT"].logo.name
    response = _client("officer").post("/unions/nasuwt/logo/remove/")
    assert response.status_code == 302 and response["Location"] == "/unions/nasuwt/"
    assert Client().get("/unions/nasuwt/logo.png").status_code == 404
    event = AuditEvent.objects.get(action="union.logo_removed")
    assert event.actor == world.users["officer"]
    assert event.changes["logo"] == [stored, None]


# --- the letterhead ------------------------------------------------------------------------


def _letterhead(page: str) -> str:
    start = page.index('<header class="letterhead">')
    return page[start : page.index("</header>", start)]


def _enrolment(world: World) -> Enrolment:
    return world.enrolment(State.AGREED)  # signed by NASUWT, GMB and UNISON


def test_the_printable_letter_shows_the_logo_described_by_the_unions_name(
    world: World, with_logo: bytes
) -> None:
    enrolment = _enrolment(world)
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk]))
    letterhead = _letterhead(page.content.decode())
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)">', letterhead)
    assert [html.unescape(alt) for _, alt in images] == [NASUWT_NAME]
    # In the page itself, so that the PDF maker fetches nothing.
    assert images[0][0].startswith("data:image/png;base64,")
    # The names are still there, GMB and UNISON without a logo.
    assert "<span>NASUWT</span><span>GMB</span><span>UNISON</span>" in letterhead


def test_without_logos_the_letterhead_has_no_picture(world: World) -> None:
    enrolment = _enrolment(world)
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk]))
    letterhead = _letterhead(page.content.decode())
    assert "<span>NASUWT</span><span>GMB</span><span>UNISON</span>" in letterhead
    assert "<img" not in letterhead


def _docx(enrolment: Enrolment) -> Document:
    response = _client("secretary").get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


def test_the_word_letterhead_holds_the_logo_above_the_names(world: World, with_logo: bytes) -> None:
    document = _docx(_enrolment(world))
    paragraphs = document.paragraphs
    names = next(i for i, p in enumerate(paragraphs) if p.text == "NASUWT · GMB · UNISON")
    logos = paragraphs[names - 1]
    inlines = logos._p.findall(".//" + qn("wp:inline"))
    assert len(inlines) == 1  # NASUWT's; GMB and UNISON have none
    assert inlines[0].docPr.get("descr") == NASUWT_NAME
    # 14 mm high, in English Metric Units (36 000 to the millimetre); 2:1 as uploaded.
    assert inlines[0].extent.cy == 14 * 36000
    assert inlines[0].extent.cx == 28 * 36000
    # It is the only picture in the letter, and it is the uploaded one.
    assert len(document.inline_shapes) == 1
    blip = inlines[0].graphic.graphicData.pic.blipFill.blip.embed
    with Image.open(io.BytesIO(document.part.related_parts[blip].blob)) as image:
        assert image.size == (200, 100) and image.getpixel((5, 5))[:3] == (200, 30, 40)


def test_the_word_letter_has_no_picture_when_no_union_has_a_logo(world: World) -> None:
    document = _docx(_enrolment(world))
    assert len(document.inline_shapes) == 0
    assert document.paragraphs[0].text == "NASUWT · GMB · UNISON"


def _pdf_images(world: World) -> list:  # type: ignore[type-arg]
    enrolment = _enrolment(world)
    response = _client("secretary").get(reverse("enrolment-letter-pdf", args=[enrolment.pk]))
    assert response.status_code == 200
    return list(PdfReader(io.BytesIO(response.content)).pages[0].images)


def test_the_pdf_prints_the_logo_on_the_first_page(world: World, with_logo: bytes) -> None:
    images = _pdf_images(world)
    assert len(images) == 1
    assert images[0].image.size == (200, 100)
    assert images[0].image.convert("RGB").getpixel((5, 5)) == (200, 30, 40)


def test_the_pdf_has_no_picture_when_no_union_has_a_logo(world: World) -> None:
    assert _pdf_images(world) == []


def test_the_admin_shows_the_logo_but_takes_no_upload_that_skips_the_check(world: World) -> None:
    from_admin = Client()
    root = User.objects.create_superuser("root@example.org", "root@example.org", None)
    from_admin.force_login(root)
    union = world.unions["NASUWT"]
    page = from_admin.get(f"/admin/organisations/union/{union.pk}/change/")
    assert page.status_code == 200
    assert 'type="file"' not in page.content.decode()
