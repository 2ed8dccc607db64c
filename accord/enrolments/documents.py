"""The approach documents: the joint letter (printable page, PDF and editable .docx) and the
JCC agenda item, both signed for every union taking part."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from accord.accounts.models import Role, RoleAssignment
from accord.organisations.models import Union

from . import docx_letter, letter_templates, rules
from .models import Enrolment, Position


@dataclass
class Signatory:
    union: str
    name: str
    role: str


@dataclass
class Logo:
    """A signing union's logo in the letterhead: a checked PNG, described by the union's name."""

    union: str
    png: bytes

    @property
    def data_uri(self) -> str:
        """The picture inside the page itself, so that the PDF maker needs to fetch nothing."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Letter:
    letterhead: list[str]
    logos: list[Logo]
    sender: list[str]
    date: str
    recipient: list[str]
    salutation: str
    subject: str
    opening: list[str]
    preamble: str
    principles: list[str]
    footnotes: list[str]
    closing: list[str]
    valediction: str
    signatories: list[Signatory]
    # The document's properties: its title, and who it is from.
    title: str
    author: str


def available(enrolment: Enrolment) -> bool:
    """From partner agreement onwards, while the enrolment is open."""
    return rules.approach_documents_ready(enrolment)


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
    # Every block is three short lines: the name, the role, and the union. The area is the
    # sender's, named above the letter, so that no role wraps onto a fourth line.
    result = [
        Signatory(
            enrolment.scheme.lead_union.short_name,
            secretary.user.get_full_name() if secretary else "",
            "Local Secretary",
        )
    ]
    positions = enrolment.positions_by_union
    for union in enrolment.signing_unions()[1:]:
        position = positions.get(union.pk)
        name = ""
        if position is not None and position.position == Position.AGREE:
            name = position.recorded_by.get_full_name()
        result.append(Signatory(union.short_name, name, f"{union.short_name} Representative"))
    return result


def logos(unions: list[Union]) -> list[Logo]:
    """The logos of the signing unions that have one, in signing order. A logo whose file has
    gone from storage is left out: the union's name is still in the letterhead."""
    found = []
    for union in unions:
        if not union.logo:
            continue
        try:
            with union.logo.open("rb") as file:
                found.append(Logo(union.name, file.read()))
        except OSError:
            continue
    return found


def sender(enrolment: Enrolment) -> list[str]:
    """The sender's lines under the letterhead: the lead union's local association, its postal
    address and e-mail address, as far as they are known."""
    association = enrolment.employer.association
    if association is None:
        return []
    lines = [f"{enrolment.scheme.lead_union.short_name} {association.name} Local Association"]
    lines += [line.strip() for line in association.address.splitlines() if line.strip()]
    if association.email:
        lines.append(association.email)
    return lines


# Courtesy titles a British letter greets with the surname: "Dear Dr Shah". Compared without
# full stops and case, so "Dr." and "prof" count too.
COURTESY_TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "professor", "prof", "sir", "dame",
        "lord", "lady", "councillor", "cllr", "rev", "revd", "reverend", "father", "sister",
        "canon", "rabbi", "imam",
    }
)  # fmt: skip


KNIGHTED = frozenset({"sir", "dame"})


def greeting_name(name: str) -> str:
    """How the letter greets `name`: "Dr Amina Shah" as "Dr Shah" (title and surname), a name
    without a courtesy title in full ("Amina Shah"), and an empty name as "Sir or Madam"."""
    words = name.split()
    if not words:
        return "Sir or Madam"
    titles = 0
    while titles < len(words) and words[titles].rstrip(".").lower() in COURTESY_TITLES:
        titles += 1
    if titles == 0 or titles == len(words):
        return " ".join(words)
    if words[titles - 1].rstrip(".").lower() in KNIGHTED:
        # A knight or dame is greeted by the first name: "Dear Sir John", "Dear Dame Judi".
        return " ".join([*words[:titles], words[titles]])
    return " ".join([*words[:titles], words[-1]])


def letter(enrolment: Enrolment) -> Letter:
    scheme, employer = enrolment.scheme, enrolment.employer
    signing = enrolment.signing_unions()
    unions = [u.short_name for u in signing]
    principles = scheme.current_principles()
    addressee = [enrolment.addressee_name, enrolment.addressee_job_title]
    address = [*addressee, employer.name, employer.street, employer.town, employer.postcode]
    # British convention: "Dear Mrs Oak ... Yours sincerely"; "Dear Sir or Madam ... Yours
    # faithfully".
    named = bool(enrolment.addressee_name)
    return Letter(
        letterhead=unions,
        logos=logos(signing),
        sender=sender(enrolment),
        date=f"{timezone.localdate():%-d %B %Y}",
        recipient=[line for line in address if line],
        salutation=f"Dear {greeting_name(enrolment.addressee_name)},",
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
        valediction="Yours sincerely," if named else "Yours faithfully,",
        signatories=signatories(enrolment),
        title=f"The {scheme.name}: joint letter to {employer.name}",
        author=_union_list(unions),
    )


def file_name(enrolment: Enrolment, extension: str) -> str:
    """joint-letter-oak-primary-school.docx: the employer's name, as people read it."""
    slug = slugify(enrolment.employer.name)[:80].strip("-")
    return f"joint-letter-{slug}.{extension}" if slug else f"joint-letter.{extension}"


def letter_docx(enrolment: Enrolment, *, now: datetime.datetime | None = None) -> bytes:
    """The letter as an editable Word document, filled into its template."""
    content = letter(enrolment)
    parts = {
        "letterhead": [" · ".join(content.letterhead)],
        "sender_address": content.sender,
        "date": [content.date],
        "recipient": content.recipient,
        "salutation": [content.salutation],
        "subject": [content.subject],
        "opening": content.opening,
        "preamble": [content.preamble] if content.preamble else [],
        "principles": content.principles,
        "footnotes": content.footnotes,
        "closing": content.closing[:-1],
        "invitation": content.closing[-1:],
        "valediction": [content.valediction],
    }
    signatures = [
        docx_letter.Signature(s.name or "…" * 12, s.role, f"for {s.union}")
        for s in content.signatories
    ]
    properties = docx_letter.Properties(
        title=content.title,
        author=content.author,
        subject=content.subject.removeprefix("The "),
        created=now or timezone.now(),
    )
    template = letter_templates.template_for(enrolment.scheme)
    pictures = [docx_letter.Picture(logo.png, logo.union) for logo in content.logos]
    return docx_letter.fill(template, parts, signatures, properties, pictures)


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
