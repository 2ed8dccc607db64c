"""Every absolute link Accord gives out (calendar, open data, QR codes, logo pack, e-mails) is
on the configured site address (ACCORD_SITE_URL), whatever host the request came in on."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable

import cairosvg
import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from PIL import Image

from accord.accounts import services as accounts
from accord.accounts.models import Role
from accord.enrolments.process import State
from accord.membership.models import Membership
from accord.notifications.models import CalendarFeed
from tests.world import PASSWORD, World

# Unlike the host the test client sends (testserver), with a scheme and port of its own.
SITE = "https://accord.unusual.example:8443"
ADDRESS = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(autouse=True)
def _site(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


@pytest.fixture
def member(world: World) -> Membership:
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def _decoded_qr(svg: bytes) -> list[str]:
    """What a scanner reads from the QR code, drawn as a browser would, on a white page."""
    drawn = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg))).convert("RGBA")
    page = Image.new("RGBA", drawn.size, "white")
    page.alpha_composite(drawn)
    return [code.text for code in zxingcpp.read_barcodes(page.convert("L"))]


def _addresses(text: str) -> list[str]:
    """The web addresses in `text`, without the full stop or comma that may follow one."""
    return [a.rstrip(".,;:") for a in ADDRESS.findall(text)]


def _on_site(address: str) -> bool:
    return address == SITE or address.startswith(f"{SITE}/")


def _body(response) -> str:  # type: ignore[no-untyped-def]
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_calendar_and_its_events_link_to_the_site_address(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    client = Client()
    client.login(username="secretary@example.org", password=PASSWORD)
    page = client.get(reverse("calendar")).content.decode()
    feed = CalendarFeed.objects.get(user=world.users["secretary"])
    assert f"{SITE}{reverse('calendar-feed', args=[feed.token])}" in page
    events = Calendar.from_ical(Client().get(reverse("calendar-feed", args=[feed.token])).content)
    links = {str(event["URL"]) for event in events.walk("VEVENT")}
    assert links == {f"{SITE}{enrolment.get_absolute_url()}"}


def test_open_data_links_each_member_to_its_verification_page_on_the_site_address(
    member: Membership,
) -> None:
    expected = f"{SITE}{member.get_absolute_url()}"
    rows = list(csv.DictReader(io.StringIO(_body(Client().get(reverse("register-csv"))))))
    assert [row["verification_url"] for row in rows] == [expected]
    data = json.loads(_body(Client().get(reverse("register-json"))))
    assert [m["verification_url"] for m in data["members"]] == [expected]


def test_the_verification_page_and_its_qr_code_give_the_site_address(member: Membership) -> None:
    expected = f"{SITE}{member.get_absolute_url()}"
    page = Client().get(member.get_absolute_url()).content.decode()
    assert expected in page
    qr = Client().get(reverse("verification-qr", args=[member.reference])).content
    assert _decoded_qr(qr) == [expected]


def test_the_logo_packs_qr_code_and_addresses_are_on_the_site_address(
    member: Membership,
) -> None:
    expected = f"{SITE}{member.get_absolute_url()}"
    pack = zipfile.ZipFile(
        io.BytesIO(Client().get(reverse("logo-pack", args=[member.reference])).content)
    )
    codes = [name for name in pack.namelist() if "qr" in name and name.endswith(".svg")]
    assert codes and all(_decoded_qr(pack.read(name)) == [expected] for name in codes)
    texts = [name for name in pack.namelist() if name.endswith(".txt")]
    addresses = [a for name in texts for a in _addresses(pack.read(name).decode())]
    assert [a for a in addresses if not _on_site(a)] == []


def test_every_address_in_the_e_mails_is_on_the_site_address(
    world: World, deliver_outbox: Callable[[], dict[str, int]]
) -> None:
    world.enrolment(State.LISTED)
    rep = accounts.RoleSpec(
        Role.WORKPLACE_REP, {"union": world.unions["NASUWT"], "employer": world.academy}
    )
    for email in ("new.rep@example.org", "rep@example.org"):  # an invitation, a new role
        accounts.invite(email=email, full_name="A Rep", roles=[rep], actor=world.users["secretary"])
    deliver_outbox()
    bodies = [message.body for message in mail.outbox]
    addresses = [a for body in bodies for a in _addresses(body)]
    assert len(addresses) >= len(bodies) > 1
    assert [a for a in addresses if not _on_site(a)] == []
