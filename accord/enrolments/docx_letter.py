"""The joint letter as a Word document, filled into a template that holds all of its look.

A template is an ordinary .docx (files/joint-letter.docx is the house one, rebuilt by
`manage.py build_letter_template`). Each part of the letter is a paragraph whose whole text is
its placeholder, such as `{salutation}`, written in the style the part should have; a part of
several paragraphs (the address, the principles) repeats that paragraph. The signatures are a
table whose one cell holds `{signatory_name}`, `{signatory_role}` and `{signatory_union}`: the
cell is copied for each union, side by side, and its rows are kept on one page. The unions'
logos, for those that have one, go into a copy of the `{letterhead}` paragraph just above the
names, side by side at one height. Nothing here sets a font, a size or a colour: a union changes
the letter's look by changing the template.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from lxml import etree

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "files" / "joint-letter.docx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The parts of the letter, each a paragraph of the template.
PARTS = (
    "letterhead",
    "sender_address",
    "date",
    "recipient",
    "salutation",
    "subject",
    "opening",
    "preamble",
    "principles",
    "footnotes",
    "closing",
    "invitation",
    "valediction",
)
SIGNATURE_PARTS = ("signatory_name", "signatory_role", "signatory_union")
# Signatures side by side, up to this many in a row; more make a second row.
MOST_SIDE_BY_SIDE = 4
# The height of each logo in the letterhead.
LOGO_HEIGHT = Mm(14)
# A template unpacks to at most this many bytes: a small file that unpacks to gigabytes is
# refused before anything is unpacked.
MOST_UNPACKED_BYTES = 50 * 1024 * 1024


@dataclass
class Signature:
    name: str
    role: str
    union: str


@dataclass
class Properties:
    """What a word processor shows under File › Properties."""

    title: str
    author: str
    subject: str
    created: datetime.datetime


@dataclass
class Picture:
    """A logo for the letterhead: PNG bytes, and the words a screen reader says for it."""

    png: bytes
    description: str


class TemplateError(ValueError):
    """A template that cannot make the letter, saying what is wrong."""


def _placeholder(paragraph: Any) -> str | None:
    text = "".join(t.text or "" for t in paragraph.iter(qn("w:t"))).strip()
    if len(text) > 2 and text[0] == "{" and text[-1] == "}":
        return text[1:-1]
    return None


def _paragraphs(element: Any) -> list[Any]:
    return list(element.iter(qn("w:p")))


def _unpacked_size(template: Path | IO[bytes]) -> int:
    with zipfile.ZipFile(template) as archive:
        size = sum(info.file_size for info in archive.infolist())
    if not isinstance(template, Path):
        template.seek(0)
    return size


def _open(template: Path | IO[bytes]) -> Any:
    not_a_document = "The letter template is not a Word document (.docx)."
    try:
        unpacked = _unpacked_size(template)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(not_a_document) from exc
    if unpacked > MOST_UNPACKED_BYTES:
        raise TemplateError(
            f"The letter template unpacks to more than {MOST_UNPACKED_BYTES // (1024 * 1024)} "
            "MB: make its pictures smaller."
        )
    try:
        return Document(template)
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        etree.LxmlError,
    ) as exc:
        raise TemplateError(not_a_document) from exc


def missing_placeholders(template: Path | IO[bytes]) -> list[str]:
    """The placeholders the template lacks (none: it can make the letter)."""
    body = _open(template).element.body
    found = {_placeholder(p) for p in _paragraphs(body)}
    return [f"{{{name}}}" for name in (*PARTS, *SIGNATURE_PARTS) if name not in found]


def _set_text(paragraph: Any, text: str) -> None:
    """The paragraph's runs replaced by one run of `text`, in the first run's character style."""
    runs = [r for r in paragraph.iter(qn("w:r"))]
    rpr = runs[0].find(qn("w:rPr")) if runs else None
    for child in list(paragraph):
        if child.tag != qn("w:pPr"):
            paragraph.remove(child)
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    node = OxmlElement("w:t")
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    node.text = text
    run.append(node)
    paragraph.append(run)


def _fill_paragraph(paragraph: Any, lines: Sequence[str]) -> None:
    """The placeholder paragraph repeated once for each line (removed for none)."""
    for line in lines:
        copied = copy.deepcopy(paragraph)
        _set_text(copied, line)
        paragraph.addprevious(copied)
    paragraph.getparent().remove(paragraph)


def _signature_table(body: Any) -> Any:
    for table in body.iter(qn("w:tbl")):
        if any(_placeholder(p) == "signatory_name" for p in _paragraphs(table)):
            return table
    raise TemplateError("The letter template has no table holding {signatory_name}.")


def _keep_with_next(paragraph: Any) -> None:
    paragraph.get_or_add_pPr().keepNext_val = True


def _fill_signatures(body: Any, signatures: Sequence[Signature]) -> None:
    table = _signature_table(body)
    template_row = table.find(qn("w:tr"))
    template_cell = template_row.find(qn("w:tc")) if template_row is not None else None
    if template_cell is None or not any(
        _placeholder(p) == "signatory_name" for p in _paragraphs(template_cell)
    ):
        raise TemplateError(
            "The letter template's {signatory_name} must be in the first cell of its table."
        )
    count = max(len(signatures), 1)
    per_row = count if count <= MOST_SIDE_BY_SIDE else math.ceil(count / 2)
    grid = table.find(qn("w:tblGrid"))
    columns = grid.findall(qn("w:gridCol")) if grid is not None else []
    total = sum(int(c.get(qn("w:w")) or 0) for c in columns) or 9000
    width = total // per_row
    if grid is not None:
        for column in columns:
            grid.remove(column)
        for _ in range(per_row):
            column = OxmlElement("w:gridCol")
            column.set(qn("w:w"), str(width))
            grid.append(column)
    rows = [signatures[i : i + per_row] for i in range(0, len(signatures), per_row)]
    for index, chunk in enumerate(rows):
        row = copy.deepcopy(template_row)
        for cell in row.findall(qn("w:tc")):
            row.remove(cell)
        # A row never splits across pages, and every row but the last keeps with the next:
        # the signatures stay together, and with "Yours sincerely" before them.
        trpr = row.get_or_add_trPr()
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.append(OxmlElement("w:cantSplit"))
        for signature in [*chunk, *[None] * (per_row - len(chunk))]:
            cell = copy.deepcopy(template_cell)
            width_element = cell.tcPr.find(qn("w:tcW")) if cell.tcPr is not None else None
            if width_element is not None:
                width_element.set(qn("w:w"), str(width))
                width_element.set(qn("w:type"), "dxa")
            for paragraph in _paragraphs(cell):
                name = _placeholder(paragraph)
                if name in SIGNATURE_PARTS:
                    value = getattr(signature, name.removeprefix("signatory_"), "") or ""
                    _set_text(paragraph, value)
                if index < len(rows) - 1:
                    _keep_with_next(paragraph)
            row.append(cell)
        template_row.addprevious(row)
    table.remove(template_row)


def _add_logos(document: Any, letterhead: Any, logos: Sequence[Picture]) -> None:
    """A copy of the letterhead paragraph, holding the logos side by side, put before it."""
    copied = copy.deepcopy(letterhead)
    for child in list(copied):
        if child.tag != qn("w:pPr"):
            copied.remove(child)
    letterhead.addprevious(copied)
    paragraph = Paragraph(copied, document._body)
    for index, logo in enumerate(logos):
        if index:
            paragraph.add_run("\t")
        paragraph.add_run().add_picture(io.BytesIO(logo.png), height=LOGO_HEIGHT)
        inline = copied.findall(".//" + qn("wp:inline"))[-1]
        inline.docPr.set("descr", logo.description)
        inline.docPr.set("title", logo.description)


def fill(
    template: Path | IO[bytes],
    parts: dict[str, Sequence[str]],
    signatures: Sequence[Signature],
    properties: Properties,
    logos: Sequence[Picture] = (),
) -> bytes:
    """The letter: `parts` (each a list of paragraphs, by placeholder name), `signatures` and
    the letterhead's `logos` filled into `template`, with its document properties."""
    document = _open(template)
    body = document.element.body
    # The placeholders are found before anything is filled in, so that text filled in (a name
    # someone typed as "{closing}") is never taken for one.
    found = [(p, _placeholder(p)) for p in _paragraphs(body)]
    _fill_signatures(body, signatures)
    if logos:
        for paragraph, name in found:
            if name == "letterhead":
                _add_logos(document, paragraph, logos)
    for paragraph, name in found:
        if name in parts:
            _fill_paragraph(paragraph, parts[name])
    core = document.core_properties
    core.title = properties.title
    core.author = core.last_modified_by = properties.author
    core.subject = properties.subject
    # Word reads these as UTC.
    created = properties.created.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    core.created = core.modified = created
    core.language = "en-GB"
    core.revision = 1
    core.comments = core.keywords = ""
    core.category = "Letter"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def try_fill(template: Path | IO[bytes]) -> None:
    """A letter filled into `template` with every part and several signatures, or the
    TemplateError that a real letter would meet."""
    signatures = [Signature("Name", "Role", "for Union")] * (MOST_SIDE_BY_SIDE + 1)
    properties = Properties("Title", "Author", "Subject", datetime.datetime.now(datetime.UTC))
    fill(template, {name: [name] for name in PARTS}, signatures, properties)
