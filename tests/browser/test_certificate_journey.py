"""A member's contact downloads the certificate of membership from its membership page, and the
QR code printed on it leads to the verification page."""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp
from playwright.sync_api import expect

from accord.enrolments.process import State
from accord.membership.models import Membership
from tests.world import World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_employer_contact_downloads_a_certificate_whose_qr_code_leads_to_verification(
    browser,
    live_server,
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    url = live_server.url
    settings.SITE_URL = url
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    address = f"{url}/register/{membership.reference}/"

    employer = Session(browser, url, "employer")
    page = employer.page
    section = page.get_by_test_id("part-employer")
    section.get_by_role("link", name="Northtown High School").click()
    expect(page.get_by_test_id("membership-status")).to_have_text("Member")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate of membership (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "northtown-high-school-certificate-of-membership.pdf"

    reader = pypdf.PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Northtown High School is a member of the Valued Worker Scheme" in text
    assert address in text
    decoded = [
        result.text
        for image in reader.pages[0].images
        for result in zxingcpp.read_barcodes(image.image)
    ]
    assert decoded == [address]

    # Where the code leads: the page that says the membership is current.
    page.goto(decoded[0])
    expect(page.get_by_test_id("verdict")).to_contain_text(
        "Northtown High School is a member of the Valued Worker Scheme"
    )
    employer.close()
