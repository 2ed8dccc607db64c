"""Rebuild the joint letter's Word template (accord/enrolments/files/joint-letter.docx).

The template holds the letter's look: A4 pages and margins, British English, the house
typography as named styles, and one placeholder paragraph (or table) for each part of the
letter. A union may open the file in Word or LibreOffice, change the styles, move the
placeholders, add its own fixed text or pictures, and upload it for its scheme: no code
changes. This command writes the house version, the starting point for such changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from accord.enrolments.docx_letter import DEFAULT_TEMPLATE

TEXT = RGBColor(0x0B, 0x0C, 0x0C)
BRAND = RGBColor(0x1D, 0x3A, 0x5F)
SECONDARY = RGBColor(0x50, 0x5A, 0x5F)
FONT = "Arial"


def _language(rpr: Any) -> None:
    """British English for the spelling checker, in a run-properties element."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    lang.set(qn("w:bidi"), "ar-SA")


def _style(
    document: Any,
    name: str,
    *,
    size: float = 11,
    bold: bool = False,
    italic: bool = False,
    colour: RGBColor = TEXT,
    before: float = 0,
    after: float = 6,
    keep_with_next: bool = False,
    base: str = "Normal",
) -> ParagraphStyle:
    styles = document.styles
    style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    font = style.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic
    font.color.rgb = colour
    paragraph = style.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(before), Pt(after)
    paragraph.keep_with_next = keep_with_next
    paragraph.widow_control = True
    return style


def _rule_below(style: ParagraphStyle) -> None:
    """A thin line in the brand colour under the letterhead."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "1D3A5F")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def build(path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)

    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    _language(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.font.color.rgb = TEXT
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    _language(normal.element.get_or_add_rPr())

    letterhead = _style(document, "Letterhead", size=16, bold=True, colour=BRAND, after=2)
    _style(document, "Sender Address", size=9, colour=SECONDARY, after=0)
    _rule_below(_style(document, "Letterhead End", size=4, after=12))
    _style(document, "Letter Date", after=10)
    _style(document, "Recipient", after=0)
    _style(document, "Salutation", before=14, after=6)
    _style(document, "Letter Title", size=12, bold=True, before=2, after=6, keep_with_next=True)
    _style(document, "Body Text", after=6)
    # The last paragraph leads into the signatures and goes with them to a new page.
    _style(document, "Closing Text", after=6, keep_with_next=True)
    principle = _style(document, "Principle", base="List Number", after=2)
    _style(document, "Principle Note", size=9, italic=True, colour=SECONDARY, after=6)
    _style(document, "Valediction", before=6, after=0, keep_with_next=True)
    _style(document, "Signature Name", bold=True, before=30, after=0, keep_with_next=True)
    _style(document, "Signature Detail", size=10, after=0, keep_with_next=True)
    letterhead.next_paragraph_style = styles["Sender Address"]
    del principle  # numbered through List Number, which it is based on

    def placeholder(name: str, style: str) -> None:
        document.add_paragraph(f"{{{name}}}", style=style)

    placeholder("letterhead", "Letterhead")
    placeholder("sender_address", "Sender Address")
    document.add_paragraph("", style="Letterhead End")
    placeholder("date", "Letter Date")
    placeholder("recipient", "Recipient")
    placeholder("salutation", "Salutation")
    placeholder("subject", "Letter Title")
    placeholder("opening", "Body Text")
    placeholder("preamble", "Body Text")
    placeholder("principles", "Principle")
    placeholder("footnotes", "Principle Note")
    placeholder("closing", "Body Text")
    placeholder("invitation", "Closing Text")
    placeholder("valediction", "Valediction")

    # The signatures: one cell per union, copied for each, in one table whose rows never split.
    table = document.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cell = row.cells[0]
    cell.paragraphs[0].text = "{signatory_name}"
    cell.paragraphs[0].style = styles["Signature Name"]
    cell.add_paragraph("{signatory_role}", style="Signature Detail")
    cell.add_paragraph("{signatory_union}", style="Signature Detail")

    properties = document.core_properties
    properties.title = "Joint letter"
    properties.author = properties.last_modified_by = "Accord"
    properties.language = "en-GB"
    properties.comments = (
        "The joint letter's template: change the styles, move the {placeholders}, keep their "
        "names. The signature table's one cell is copied for each union."
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


class Command(BaseCommand):
    help = "Write the joint letter's Word template (the house version) to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_TEMPLATE))

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        build(Path(path))
        self.stdout.write(f"Wrote {path}.")
