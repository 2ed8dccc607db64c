"""The joint letter (printable page, PDF and .docx) and the JCC agenda item, signed for every
union; each file opened with the program a person's computer would read it with."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor
from pypdf import PdfReader

from accord.core.models import AuditEvent
from accord.enrolments import services
from accord.enrolments.management.commands.build_letter_template import build
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.world import PASSWORD, World

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A4 in PDF points (1/72 inch): 210 mm × 297 mm.
A4_POINTS = (595.28, 841.89)
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _addressed(world: World, enrolment: Enrolment) -> Enrolment:
    return services.set_letter_addressee(
        enrolment, actor=world.users["secretary"], name="Mrs Jane Oak", job_title="Head Teacher"
    )


def _docx(enrolment: Enrolment, persona: str = "secretary") -> Document:
    response = _client(persona).get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    return Document(io.BytesIO(response.content))


def _pdf(enrolment: Enrolment) -> PdfReader:
    response = _client("secretary").get(reverse("enrolment-letter-pdf", args=[enrolment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_letter_is_signed_for_each_union_taking_part(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "on behalf of NASUWT, GMB and UNISON" in text  # Unite not represented locally
    assert "for NASUWT" in text and "for GMB" in text and "for UNISON" in text
    assert "for Unite" not in text
    assert "Secretary" in text and "Gmb" in text  # the people who agreed sign
    assert "Living Wage Foundation" in text
    assert "1 School Lane" in text


def test_the_letter_greets_the_named_head_teacher_and_closes_yours_sincerely(
    world: World,
) -> None:
    enrolment = _addressed(world, world.enrolment(State.AGREED))
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk]))
    text = page.content.decode()
    assert "Dear Mrs Oak," in text
    assert "Mrs Jane Oak<br>Head Teacher<br>Northtown High School" in text
    assert "Yours sincerely," in text and "Yours faithfully" not in text


def test_with_nobody_named_the_letter_greets_sir_or_madam_and_closes_yours_faithfully(
    world: World,
) -> None:
    enrolment = world.enrolment(State.AGREED)
    text = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk])).content
    assert "Dear Sir or Madam," in text.decode()
    assert "Yours faithfully," in text.decode() and "Yours sincerely" not in text.decode()
    lines = _text(_docx(enrolment))
    assert "Dear Sir or Madam," in lines and "Yours faithfully," in lines


def test_the_letterhead_names_the_unions_and_the_local_associations_address(
    world: World,
) -> None:
    world.association.address = "12 Mill Street\nNorthtown\nNT1 2AB"
    world.association.email = "northtown@example.org"
    world.association.save()
    enrolment = world.enrolment(State.AGREED)
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk])).content
    assert "<span>NASUWT</span><span>GMB</span><span>UNISON</span>" in page.decode()
    assert "NASUWT Northtown Local Association<br>12 Mill Street<br>Northtown<br>NT1 2AB" in (
        page.decode()
    )
    lines = _text(_docx(enrolment))
    assert lines[:6] == [
        "NASUWT · GMB · UNISON",
        "NASUWT Northtown Local Association",
        "12 Mill Street",
        "Northtown",
        "NT1 2AB",
        "northtown@example.org",
    ]


def test_the_word_document_is_a4_in_british_english_with_house_headings(world: World) -> None:
    enrolment = _addressed(world, world.enrolment(State.AGREED))
    document = _docx(enrolment)
    (section,) = document.sections
    # A4, 210 mm × 297 mm, as Word stores it (in twentieths of a point: 11906 × 16838).
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (25, 25)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"
    normal_lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert normal_lang.get(qn("w:val")) == "en-GB"
    assert document.core_properties.language == "en-GB"
    (title,) = [p for p in document.paragraphs if p.text == "The Valued Worker Scheme"]
    assert title.style.name == "Letter Title"
    assert title.style.font.color.rgb == RGBColor(0x0B, 0x0C, 0x0C)  # house text, not blue
    assert title.style.font.name == "Arial" and title.style.font.bold
    assert not [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    lines = _text(document)
    assert "Dear Mrs Oak," in lines
    assert lines.index("Dear Mrs Oak,") < lines.index("The Valued Worker Scheme")
    assert "Yours sincerely," in lines
    assert "invite Northtown High School to join the Valued Worker Scheme" in "\n".join(lines)
    assert "providing CPD for all employees;" in lines


def test_the_signatures_are_one_block_side_by_side_kept_with_the_closing(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    document = _docx(enrolment)
    (table,) = document.tables
    (row,) = table.rows
    assert [c.text for c in row.cells] == [
        "Secretary\nLocal Secretary\nfor NASUWT",
        "Gmb\nGMB Representative\nfor GMB",
        "Unison\nUNISON Representative\nfor UNISON",
    ]
    assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    (closing,) = [p for p in document.paragraphs if p.text == "Yours faithfully,"]
    assert closing.style.paragraph_format.keep_with_next
    # Nothing stands between the closing and the signatures.
    assert closing._p.getnext() is table._tbl


def test_names_typed_like_placeholders_are_written_as_typed(world: World) -> None:
    gmb = world.users["gmb"]
    gmb.full_name = "{opening}"
    gmb.save()
    enrolment = services.set_letter_addressee(
        world.enrolment(State.AGREED),
        actor=world.users["secretary"],
        name="{closing}",
        job_title="{principles}",
    )
    document = _docx(enrolment)
    lines = _text(document)
    assert "Dear {closing}," in lines
    assert lines.count("{closing}") == 1 and lines.count("{principles}") == 1
    assert document.tables[0].rows[0].cells[1].text == "{opening}\nGMB Representative\nfor GMB"


def test_the_word_document_says_what_it_is_and_who_it_is_from(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    with time_machine.travel(NOW, tick=False):
        response = _client("secretary").get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="joint-letter-northtown-high-school.docx"'
    )
    properties = Document(io.BytesIO(response.content)).core_properties
    assert properties.title == "The Valued Worker Scheme: joint letter to Northtown High School"
    assert properties.author == "NASUWT, GMB and UNISON"
    assert properties.last_modified_by == "NASUWT, GMB and UNISON"
    assert properties.subject == "Valued Worker Scheme"
    assert properties.created == NOW
    assert properties.modified == NOW


def test_the_letter_prints_to_an_a4_pdf_with_its_greeting_and_signatures_together(
    world: World,
) -> None:
    enrolment = _addressed(world, world.enrolment(State.AGREED))
    reader = _pdf(enrolment)
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (
            A4_POINTS
        )
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert "Northtown High School" in text
    assert "Dear Mrs Oak," in text
    assert "Back to the enrolment" not in text  # the page's links are not printed
    (signed,) = [p for p in pages if "for NASUWT" in p]
    assert "Yours sincerely," in signed and "for GMB" in signed and "for UNISON" in signed
    assert reader.metadata.title == (
        "The Valued Worker Scheme: joint letter to Northtown High School"
    )
    assert reader.metadata.author == "NASUWT, GMB and UNISON"


def test_the_printed_letter_carries_none_of_the_pages_notices(world: World) -> None:
    """A notice waiting for the next page ("Done: …") is the site's, not the letter's: the PDF
    sent to the employer never shows it, nor the skip link."""
    enrolment = world.enrolment(State.AGREED)
    client = _client("secretary")
    # Saved without following the redirect: the notice waits for the next page.
    saved = client.post(
        reverse("enrolment-letter-addressee", args=[enrolment.pk]),
        {"addressee_name": "Mrs Jane Oak", "addressee_job_title": "Head Teacher"},
    )
    assert saved.status_code == 302
    response = client.get(reverse("enrolment-letter-pdf", args=[enrolment.pk]))
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Dear Mrs Oak," in text
    assert "Done" not in text and "saved" not in text
    assert "Skip to main content" not in text
    # The notice is still there for the page it was meant for.
    page = client.get(reverse("enrolment-letter", args=[enrolment.pk]))
    assert "Done: the letter&#x27;s addressee saved." in page.content.decode()


def test_the_signatures_never_split_from_each_other_or_the_closing_whatever_the_length(
    world: World,
) -> None:
    enrolment = world.enrolment(State.AGREED)
    scheme = world.scheme
    sentence = "Each employer works with the unions on the principle it chooses. "
    # A line more each time, so that one of the lengths brings the signatures to a page's end.
    for extra in range(2, 9):
        scheme.principles_preamble = sentence * extra * 2
        scheme.save(update_fields=["principles_preamble"])
        pages = [" ".join(p.extract_text().split()) for p in _pdf(enrolment).pages]
        (signed,) = [p for p in pages if "for NASUWT" in p]
        assert "Yours faithfully," in signed, extra
        assert "for GMB" in signed and "for UNISON" in signed, extra


def _collect(fragments: list[tuple[float, float, str]]) -> Any:
    """A pypdf text visitor adding each piece of text with its position to `fragments`."""

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            fragments.append((round(tm[4]), round(tm[5]), text.strip()))

    return visit


def _signature_lines(reader: PdfReader) -> dict[int, list[str]]:
    """The lines of each signature block in the PDF, by the block's left edge."""
    found: list[tuple[float, float, str]] = []
    for page in reader.pages:
        fragments: list[tuple[float, float, str]] = []
        page.extract_text(visitor_text=_collect(fragments))
        names = [f for f in fragments if f[2] == "Yours faithfully,"]
        if names:
            found = [f for f in fragments if f[1] > names[0][1]]
    blocks: dict[int, list[str]] = {}
    for x, _y, text in sorted(found, key=lambda f: (f[0], f[1])):
        blocks.setdefault(x, []).append(text)
    return blocks


def test_the_signature_blocks_are_alike_and_as_long_as_each_other(world: World) -> None:
    world.association.name = "Manchester"
    world.association.save(update_fields=["name"])
    enrolment = world.enrolment(State.AGREED)
    blocks = _signature_lines(_pdf(enrolment))
    assert list(blocks.values()) == [
        ["Secretary", "Local Secretary", "for NASUWT"],
        ["Gmb", "GMB Representative", "for GMB"],
        ["Unison", "UNISON Representative", "for UNISON"],
    ]


def test_a_collected_site_prints_the_letter_with_its_hashed_stylesheet(
    world: World, settings: object, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path / "static"  # type: ignore[attr-defined]
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    enrolment = _addressed(world, world.enrolment(State.AGREED))
    page = _client("secretary").get(reverse("enrolment-letter", args=[enrolment.pk]))
    assert re.search(r"/static/accord/accord\.[0-9a-f]{12}\.css", page.content.decode())
    reader = _pdf(enrolment)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    # The print styles were read: the page's links are hidden, and the letter fits one page.
    assert "Back to the enrolment" not in text
    assert len(reader.pages) == 1


def test_the_pdf_is_named_after_the_employer(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-letter-pdf", args=[enrolment.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="joint-letter-northtown-high-school.pdf"'
    )


def test_the_letter_is_offered_as_a_page_a_pdf_and_a_word_document(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    page = _client("secretary").get(reverse("enrolment", args=[enrolment.pk])).content.decode()
    for name in ("enrolment-letter", "enrolment-letter-pdf", "enrolment-letter-docx"):
        assert f'href="{reverse(name, args=[enrolment.pk])}"' in page


def test_a_template_set_for_the_site_gives_the_letter_its_look(
    world: World, settings: object, tmp_path: Path
) -> None:
    template = tmp_path / "union.docx"
    build(template)
    edited = Document(str(template))
    edited.styles["Letter Title"].font.name = "Georgia"
    edited.save(str(template))
    settings.LETTER_TEMPLATE = str(template)  # type: ignore[attr-defined]
    document = _docx(world.enrolment(State.AGREED))
    (title,) = [p for p in document.paragraphs if p.text == "The Valued Worker Scheme"]
    assert title.style.font.name == "Georgia"


def test_the_agenda_item_names_the_employer_and_unions(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-agenda-item", args=[enrolment.pk]))
    item = response.context["item"]
    assert item.startswith("Agenda item: The Valued Worker Scheme")
    assert "Submitted jointly by NASUWT, GMB and UNISON." in item


@pytest.mark.parametrize(
    "name", ["enrolment-letter", "enrolment-letter-docx", "enrolment-letter-pdf"]
)
def test_documents_wait_for_partner_agreement_and_are_for_union_roles(
    world: World, name: str
) -> None:
    early = world.enrolment(State.NEM_CLEARED)
    assert _client("secretary").get(reverse(name, args=[early.pk])).status_code == 403
    later = world.enrolment(State.INTRODUCED, employer=world.trust)
    assert _client("secretary").get(reverse(name, args=[later.pk])).status_code == 200
    for outsider in ("other_secretary", "employer"):
        assert _client(outsider).get(reverse(name, args=[later.pk])).status_code == 403


def test_the_secretary_names_the_addressee_and_the_change_is_audited(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    url = reverse("enrolment-letter-addressee", args=[enrolment.pk])
    response = _client("secretary").post(
        url, {"addressee_name": "Mr  Sam Ash", "addressee_job_title": "Chief Executive"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.addressee_name, enrolment.addressee_job_title) == (
        "Mr Sam Ash",
        "Chief Executive",
    )
    (event,) = AuditEvent.objects.filter(action="enrolment.letter_addressee")
    assert event.changes == {
        "addressee_name": ["", "Mr Sam Ash"],
        "addressee_job_title": ["", "Chief Executive"],
    }
    assert event.actor == world.users["secretary"]
    assert event.context == f"enrolment:{enrolment.pk}"


def test_an_addressee_with_control_characters_is_refused_naming_the_field(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").post(
        reverse("enrolment-letter-addressee", args=[enrolment.pk]),
        {"addressee_name": "Mrs\u202e Oak", "addressee_job_title": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # Named once, in the summary and by the field; the field is marked optional by the house
    # pattern, not in its label.
    assert page.count("Name contains characters that cannot be stored (U+202E)") == 2
    assert "Name: Name" not in page and "Name (optional)" not in page
    enrolment.refresh_from_db()
    assert enrolment.addressee_name == ""


def test_a_job_title_alone_is_refused(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").post(
        reverse("enrolment-letter-addressee", args=[enrolment.pk]),
        {"addressee_name": "", "addressee_job_title": "Head Teacher"},
    )
    assert response.status_code == 400
    assert "Give the addressee&#x27;s name as well as their job title" in response.content.decode()


def test_only_the_local_secretary_names_the_addressee(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    url = reverse("enrolment-letter-addressee", args=[enrolment.pk])
    for persona in ("gmb", "rep", "other_secretary", "employer"):
        assert _client(persona).get(url).status_code == 403
        response = _client(persona).post(url, {"addressee_name": "Mr X"})
        assert response.status_code == 403
    early = world.enrolment(State.NEM_CLEARED, employer=world.trust)
    early_url = reverse("enrolment-letter-addressee", args=[early.pk])
    assert _client("secretary").get(early_url).status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.addressee_name == ""
