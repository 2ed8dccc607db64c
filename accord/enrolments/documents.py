"""The approach documents: the joint letter (printable page and editable .docx) and the JCC
agenda item, both signed for every union taking part."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from docx import Document
from docx.shared import Pt

from accord.accounts.models import Role, RoleAssignment

from .models import Enrolment, Position
from .process import MAIN_PATH, State


@dataclass
class Signatory:
    union: str
    name: str
    role: str


@dataclass
class Letter:
    date: str
    recipient: list[str]
    subject: str
    opening: list[str]
    preamble: str
    principles: list[str]
    footnotes: list[str]
    closing: list[str]
    signatories: list[Signatory]


def available(enrolment: Enrolment) -> bool:
    """From partner agreement onwards, while the enrolment is open."""
    state = enrolment.state_enum
    return state in MAIN_PATH and MAIN_PATH.index(state) >= MAIN_PATH.index(State.AGREED)


def _union_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def signatories(enrolment: Enrolment) -> list[Signatory]:
    employer = enrolment.employer
    secretary = (
        RoleAssignment.objects.filter(
            role=Role.LOCAL_SECRETARY,
            union=enrolment.scheme.lead_union,
            association=employer.association_id,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("id")
        .first()
    )
    area = employer.association.name if employer.association_id else ""
    result = [
        Signatory(
            enrolment.scheme.lead_union.short_name,
            secretary.user.get_full_name() if secretary else "",
            f"Local Secretary, {area}".strip(", "),
        )
    ]
    positions = enrolment.positions_by_union
    for union in enrolment.signing_unions()[1:]:
        position = positions.get(union.pk)
        name = ""
        if position is not None and position.position == Position.AGREE:
            name = position.recorded_by.get_full_name()
        result.append(Signatory(union.short_name, name, f"{union.short_name} representative"))
    return result


def letter(enrolment: Enrolment) -> Letter:
    scheme, employer = enrolment.scheme, enrolment.employer
    unions = [u.short_name for u in enrolment.signing_unions()]
    principles = scheme.current_principles()
    address = [employer.name, employer.street, employer.town, employer.postcode]
    return Letter(
        date=f"{timezone.localdate():%d %B %Y}",
        recipient=[line for line in address if line],
        subject=f"The {scheme.name}",
        opening=[
            f"We are writing jointly on behalf of {_union_list(unions)} to invite "
            f"{employer.name} to join the {scheme.name}.",
            f"The {scheme.name} recognises employers who treat their employees well. "
            "It promotes the adoption of policies and practices that demonstrate an employer's "
            "commitment to treating all employees fairly, equitably and with dignity through "
            "the adoption of six principles.",
        ],
        preamble=scheme.principles_preamble,
        principles=[v.wording for v in principles],
        footnotes=[v.footnote for v in principles if v.footnote],
        closing=[
            "Employers signing up to the Scheme are not expected to be fully compliant with all "
            "the principles at the start, but are expected to outline their priorities for the "
            "year ahead in working towards them.",
            "To join, the employer identifies one of the principles to work towards over an "
            "agreed period, usually one year, and agrees with the trade union representatives "
            "the objectives to be met, the activities to be undertaken and the success criteria.",
            "We would welcome the opportunity to meet you to introduce the Scheme and the "
            "materials available for employers.",
        ],
        signatories=signatories(enrolment),
    )


def letter_docx(enrolment: Enrolment) -> bytes:
    content = letter(enrolment)
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.add_paragraph(content.date)
    document.add_paragraph("\n".join(content.recipient))
    document.add_heading(content.subject, level=1)
    for paragraph in content.opening:
        document.add_paragraph(paragraph)
    document.add_paragraph(content.preamble)
    for wording in content.principles:
        document.add_paragraph(wording, style="List Number")
    for footnote in content.footnotes:
        document.add_paragraph(footnote).runs[0].italic = True
    for paragraph in content.closing:
        document.add_paragraph(paragraph)
    document.add_paragraph("Yours sincerely,")
    for signatory in content.signatories:
        document.add_paragraph(
            "\n".join(
                line
                for line in (
                    "",
                    signatory.name or "_" * 30,
                    signatory.role,
                    f"for {signatory.union}",
                )
                if line is not None
            )
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def agenda_item(enrolment: Enrolment) -> str:
    scheme, employer = enrolment.scheme, enrolment.employer
    unions = _union_list([u.short_name for u in enrolment.signing_unions()])
    lines = [
        f"Agenda item: The {scheme.name}",
        "",
        f"Submitted jointly by {unions}.",
        "",
        f"The unions invite {employer.name} to join the {scheme.name}, which recognises "
        "employers that treat all employees fairly, equitably and with dignity through six "
        "principles. The employer chooses one principle to work towards over an agreed "
        "period, usually a year, and agrees with the unions the objectives, activities and "
        "success criteria; it is not expected to meet every principle at the start.",
        "",
        "The unions ask the committee to agree that the Scheme be presented to the employer, "
        "with the Scheme's video and information for employers, and that a joint meeting be "
        "arranged to discuss a first commitment.",
        "",
        "Signed:",
    ]
    for signatory in signatories(enrolment):
        lines.append(f"  {signatory.name or '…'}, {signatory.role}, for {signatory.union}")
    return "\n".join(lines)
