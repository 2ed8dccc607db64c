"""A scheme's own Word template for the joint letter: uploaded by its national officers,
checked (a real .docx with every placeholder), audited, and used for the scheme's letters."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document

from accord.core.models import AuditEvent
from accord.enrolments.management.commands.build_letter_template import build
from accord.enrolments.process import State
from tests.world import PASSWORD, World

UPLOAD = "/schemes/vws/letter-template/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _client(persona: str = "officer") -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _template(tmp_path: Path, *, font: str = "Georgia", drop: str = "") -> bytes:
    """The house template with the letter's title set in `font`, less the paragraph holding
    `drop`."""
    path = tmp_path / "template.docx"
    build(path)
    document = Document(str(path))
    document.styles["Letter Title"].font.name = font
    for paragraph in document.paragraphs:
        if drop and paragraph.text == drop:
            paragraph._p.getparent().remove(paragraph._p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(content: bytes, name: str = "our-letter.docx", persona: str = "officer"):  # type: ignore[no-untyped-def]
    return _client(persona).post(UPLOAD, {"template": SimpleUploadedFile(name, content)})


def _title_font(world: World) -> str:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    document = Document(io.BytesIO(response.content))
    (title,) = [p for p in document.paragraphs if p.text == "The Valued Worker Scheme"]
    return title.style.font.name


def test_an_uploaded_template_gives_the_schemes_letters_their_look_and_is_audited(
    world: World, tmp_path: Path
) -> None:
    assert _upload(_template(tmp_path)).status_code == 302
    assert _title_font(world) == "Georgia"
    event = AuditEvent.objects.get(action="scheme.letter_template")
    assert event.actor == world.users["officer"]
    assert event.changes["letter_template"][0] is None
    assert event.changes["letter_template"][1].endswith(".docx")


def test_the_template_in_use_downloads_to_be_changed(world: World, tmp_path: Path) -> None:
    response = _client().get("/schemes/vws/letter-template.docx")
    assert response["Content-Disposition"] == (
        'attachment; filename="joint-letter-template-vws.docx"'
    )
    house = Document(io.BytesIO(response.content))
    assert house.styles["Letter Title"].font.name == "Arial"
    _upload(_template(tmp_path))
    ours = Document(io.BytesIO(_client().get("/schemes/vws/letter-template.docx").content))
    assert ours.styles["Letter Title"].font.name == "Georgia"


def test_going_back_to_the_standard_template(world: World, tmp_path: Path) -> None:
    _upload(_template(tmp_path))
    response = _client().post("/schemes/vws/letter-template/remove/")
    assert response.status_code == 302
    assert _title_font(world) == "Arial"
    changes = [e.changes for e in AuditEvent.objects.filter(action="scheme.letter_template")]
    assert changes[-1]["letter_template"][1] is None


def _refused(world: World, response) -> str:  # type: ignore[no-untyped-def]
    """The message on the template field of a refused upload, which stored nothing."""
    assert response.status_code == 400
    world.scheme.refresh_from_db()
    assert not world.scheme.letter_template
    return response.context["form"].errors["template"][0]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not a letter", "letter.pdf", "is not a file type accepted here (Word"),
        (b"PK\x03\x04 not a zip at all", "letter.docx", "is not really a Word document"),
        (b"", "letter.docx", "The template file is empty"),
    ],
)
def test_a_file_that_is_not_a_word_document_is_refused_on_the_field(
    world: World, content: bytes, name: str, message: str
) -> None:
    response = _upload(content, name)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["template"]
    assert message in errors["template"][0]
    world.scheme.refresh_from_db()
    assert not world.scheme.letter_template


def test_a_template_without_a_placeholder_is_refused_naming_it(
    world: World, tmp_path: Path
) -> None:
    response = _upload(_template(tmp_path, drop="{salutation}"))
    assert "The template lacks {salutation}" in _refused(world, response)


@pytest.mark.parametrize("persona", ["secretary", "other_officer", "employer"])
def test_only_the_schemes_national_officers_change_its_template(
    world: World, tmp_path: Path, persona: str
) -> None:
    assert _upload(_template(tmp_path), persona=persona).status_code == 403
    assert _client(persona).get("/schemes/vws/letter-template.docx").status_code == 403
    assert _client(persona).post("/schemes/vws/letter-template/remove/").status_code == 403
    world.scheme.refresh_from_db()
    assert not world.scheme.letter_template


def _repacked(content: bytes, replace: dict[str, bytes]) -> bytes:
    """`content` (a .docx) with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name in set(replace) - set(source.namelist()):
            target.writestr(name, replace[name])
    return buffer.getvalue()


def _signatures_out_of_their_table(content: bytes) -> bytes:
    """The template with its signature table replaced by the paragraphs it held."""
    document = Document(io.BytesIO(content))
    (table,) = document.tables
    for paragraph in [p for cell in table._cells for p in cell.paragraphs]:
        table._tbl.addprevious(paragraph._p)
    table._tbl.getparent().remove(table._tbl)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_template_whose_signatures_are_not_in_a_table_is_refused(
    world: World, tmp_path: Path
) -> None:
    """Every placeholder is there, but the letter could not be made from it: refused on
    upload, so that the scheme's letters keep downloading."""
    response = _upload(_signatures_out_of_their_table(_template(tmp_path)))
    assert "{signatory_name}" in _refused(world, response)


def _with_external_entity(document_xml: bytes) -> bytes:
    """The document naming a file on the server as an entity, read in the salutation."""
    declaration, rest = document_xml.split(b"?>", 1)
    entity = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return declaration + b"?>" + entity + rest.replace(b"{salutation}", b"&x;{salutation}")


def _upload_document_xml(tmp_path: Path, change: Callable[[bytes], bytes]):  # type: ignore[no-untyped-def]
    template = _template(tmp_path)
    document_xml = zipfile.ZipFile(io.BytesIO(template)).read("word/document.xml")
    return _upload(_repacked(template, {"word/document.xml": change(document_xml)}))


def test_a_word_document_whose_text_cannot_be_read_is_refused_on_the_field(
    world: World, tmp_path: Path
) -> None:
    response = _upload_document_xml(tmp_path, lambda xml: b"<w:document><w:body>unclosed")
    assert "is not a Word document" in _refused(world, response)


def test_a_template_naming_a_server_file_as_an_entity_never_reads_it(
    world: World, tmp_path: Path
) -> None:
    response = _upload_document_xml(tmp_path, _with_external_entity)
    assert "The template lacks {salutation}" in _refused(world, response)


def test_a_small_file_that_unpacks_to_a_huge_one_is_refused_before_it_is_unpacked(
    world: World, tmp_path: Path
) -> None:
    # 200 MB of spaces packs into a few hundred kilobytes.
    padding = b" " * (200 * 1024 * 1024)
    content = _repacked(_template(tmp_path), {"word/padding.xml": padding})
    assert len(content) < 1024 * 1024
    response = _upload(content)
    assert "unpacks to more than" in _refused(world, response)


def test_a_template_missing_from_storage_leaves_the_letters_on_the_standard_one(
    world: World, tmp_path: Path
) -> None:
    """A stored template lost from the file store (a restore without the uploads) must not stop
    every letter of the scheme: they are made from the standard template, as the logo pack
    falls back to the placeholder logo."""
    assert _upload(_template(tmp_path)).status_code == 302
    world.scheme.refresh_from_db()
    Path(world.scheme.letter_template.path).unlink()
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    assert "Dear Sir or Madam," in [p.text for p in document.paragraphs]


def test_the_scheme_page_offers_to_replace_or_remove_its_own_template(
    world: World, tmp_path: Path
) -> None:
    before = _client().get("/schemes/vws/").content.decode()
    assert "Change the letter's look with your own template" in before
    assert "/schemes/vws/letter-template/remove/" not in before
    _upload(_template(tmp_path))
    after = _client().get("/schemes/vws/").content.decode()
    assert "Replace the scheme's letter template" in after
    assert "Change the letter's look" not in after
    assert 'action="/schemes/vws/letter-template/remove/"' in after
    assert "Remove it and use the standard template" in after
