"""The certificate of membership: an A4 PDF offered on the verification page and to the
employer's contact while the membership is active, withdrawn at once when it is not."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pypdf
import pytest
import time_machine
import zxingcpp
from django.test import Client, override_settings
from django.urls import reverse

from accord.enrolments.process import State
from accord.membership import cycles
from accord.membership import services as membership_services
from accord.membership.models import Cycle, Membership
from tests.world import PASSWORD, World

SITE_URL = "https://accord.example.org"
TODAY = datetime.date.today()
# A4 in PostScript points: 210 mm × 297 mm.
A4 = (595.28, 841.89)
LOCMEM = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "register")
}


@pytest.fixture
def member(world: World, settings) -> Membership:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE_URL
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def _certificate_url(member: Membership) -> str:
    return f"/register/{member.reference}/certificate.pdf"


def _pdf(response) -> pypdf.PdfReader:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.content))


def _text(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _qr_addresses(reader: pypdf.PdfReader) -> list[str]:
    return [
        result.text
        for page in reader.pages
        for image in page.images
        for result in zxingcpp.read_barcodes(image.image)
    ]


def test_the_certificate_is_one_a4_page_naming_the_member_and_where_to_check_it(
    world: World, member: Membership
) -> None:
    cycle = Cycle.objects.get(enrolment=member.enrolment)
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, "met", "next_cycle")
        cycles.confirm_review(review, actor=world.users["employer"])

    response = Client().get(_certificate_url(member))
    assert response["Content-Disposition"] == (
        'attachment; filename="northtown-high-school-certificate-of-membership.pdf"'
    )
    reader = _pdf(response)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4
    text = _text(reader)
    address = f"{SITE_URL}/register/{member.reference}/"
    assert "Certificate of membership" in text
    assert (
        "This certifies that Northtown High School is a member of the Valued Worker Scheme" in text
    )
    assert f"Member since {member.member_since:%-d %B %Y}" in text
    assert f"Reference {member.reference}" in text
    assert "Principles met 5. Consultation and negotiation" in text
    assert address in text
    assert _qr_addresses(reader) == [address]
    assert reader.metadata.title == "Certificate of membership: Northtown High School"


def test_a_certificate_before_any_principle_is_met_says_so(member: Membership) -> None:
    text = _text(_pdf(Client().get(_certificate_url(member))))
    assert "Principles met None yet — the first cycle is under way." in text
    assert "None yet:" not in text


def _heights(reader: pypdf.PdfReader) -> dict[str, float]:
    """How high on the page (in points from the foot) each line of text starts."""
    found: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            found.setdefault(text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    reader.pages[0].extract_text(visitor_text=visit)
    return found


def test_the_certificate_spreads_over_its_frame_on_one_page(member: Membership) -> None:
    reader = _pdf(Client().get(_certificate_url(member)))
    assert len(reader.pages) == 1
    heights = _heights(reader)
    top = heights["Valued Worker Scheme"]
    (issued,) = [h for line, h in heights.items() if line.startswith("Issued on")]
    # A4 is 842 points high, inside a 15 mm (43 point) margin and the frame's border and
    # padding (about 48 points): the first line near the frame's top, the last near its foot.
    assert top > 842 - 43 - 48 - 40, heights
    assert issued < 43 + 48 + 50, heights


def test_the_employer_contact_is_offered_the_certificate_on_its_enrolment(
    world: World, member: Membership
) -> None:
    client = Client()
    assert client.login(username="employer@example.org", password=PASSWORD)
    page = client.get(member.enrolment.get_absolute_url()).content.decode()
    assert f'href="{_certificate_url(member)}"' in page
    assert "Download the certificate of membership (PDF)" in page
    assert _qr_addresses(_pdf(client.get(_certificate_url(member)))) == [
        f"{SITE_URL}/register/{member.reference}/"
    ]


@override_settings(CACHES=LOCMEM)
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("suspend", "Northtown High School's membership of the Valued Worker Scheme is suspended"),
        ("withdraw", "Northtown High School is no longer a member of the Valued Worker Scheme"),
    ],
)
def test_a_suspension_or_withdrawal_withdraws_the_certificate_at_once_with_the_cache_on(
    world: World, member: Membership, change: str, says: str
) -> None:
    public = Client()
    employer = Client()
    assert employer.login(username="employer@example.org", password=PASSWORD)
    link = f'href="{_certificate_url(member)}"'
    # Seen, and so cached, while the membership is active.
    for _ in range(2):
        assert link in public.get(member.get_absolute_url()).content.decode()
        _pdf(public.get(_certificate_url(member)))
    assert link in employer.get(member.enrolment.get_absolute_url()).content.decode()

    membership_services.change_status(
        member,
        change,
        actor=world.users["officer"],
        reason="Detriment found in a policy check",
        logo_stop_requested_on=TODAY,
    )

    verification = public.get(member.get_absolute_url()).content.decode()
    assert link not in verification and "certificate" not in verification.lower()
    assert link not in employer.get(member.enrolment.get_absolute_url()).content.decode()
    for client in (public, employer):
        response = client.get(_certificate_url(member))
        assert response.status_code == 410
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "<h1>No certificate of membership</h1>" in page
        assert says in page and "certificate of membership has been withdrawn" in page
        assert "Detriment" not in page  # the reasons are internal


def test_an_unknown_reference_has_no_certificate(db: None) -> None:
    assert Client().get("/register/VWS-NOPE00/certificate.pdf").status_code == 404
    assert reverse("verification-certificate", args=["VWS-NOPE00"]).endswith("certificate.pdf")


@override_settings(CACHES=LOCMEM)
def test_a_certificate_already_made_is_served_from_the_cache_with_one_query(
    member: Membership, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    first = Client().get(_certificate_url(member))
    with django_assert_num_queries(1):  # the register's version
        again = Client().get(_certificate_url(member))
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    with django_assert_num_queries(1):
        unchanged = Client().get(_certificate_url(member), HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
