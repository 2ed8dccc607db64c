"""The joint letter (printable and .docx) and the JCC agenda item, signed for every union."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from docx import Document

from accord.enrolments.process import State
from tests.world import PASSWORD, World


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


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


def test_the_letter_downloads_as_an_editable_word_document(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-letter-docx", args=[enrolment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "invite Northtown High School to join the Valued Worker Scheme" in text
    assert "providing CPD for all employees;" in text
    assert "for UNISON" in text


def test_the_agenda_item_names_the_employer_and_unions(world: World) -> None:
    enrolment = world.enrolment(State.AGREED)
    response = _client("secretary").get(reverse("enrolment-agenda-item", args=[enrolment.pk]))
    item = response.context["item"]
    assert item.startswith("Agenda item: The Valued Worker Scheme")
    assert "Submitted jointly by NASUWT, GMB and UNISON." in item


def test_documents_wait_for_partner_agreement_and_are_for_union_roles(world: World) -> None:
    early = world.enrolment(State.NEM_CLEARED)
    assert _client("secretary").get(reverse("enrolment-letter", args=[early.pk])).status_code == 403
    later = world.enrolment(State.INTRODUCED, employer=world.trust)
    assert _client("secretary").get(reverse("enrolment-letter", args=[later.pk])).status_code == 200
    assert (
        _client("other_secretary").get(reverse("enrolment-letter", args=[later.pk])).status_code
        == 403
    )
