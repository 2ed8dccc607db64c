"""A union starts from empty: only the built-in scheme and one superuser made by
`manage.py createsuperuser`. Everything else happens in the pages: the superuser invites a
national officer, who imports employers, sets up the areas, invites the people and uploads the
scheme's material and logo; the invitees set their passwords from the e-mailed links, and an
employer goes from proposed to listed, its logo pack holding the uploaded logo."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Page, expect

from accord.core.outbox import OutboxMessage
from accord.organisations.models import Employer

from .session import Session, approach_to_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPERUSER_PASSWORD = "the-first-superuser-phrase"
SCHOOL = "Hulme Park Academy"
# A small establishment file in the "Get Information About Schools" format.
GIAS_COLUMNS = [
    "GOR (name)",
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "Trusts (code)",
    "Trusts (name)",
    "UKPRN",
    "Street",
    "Town",
    "Postcode",
]
SCHOOLS = [
    ("140001", SCHOOL, "Academy converter", "M15 5AA"),
    ("140002", "Moss Side Primary School", "Community school", "M16 7BB"),
    ("140003", "Ardwick Sixth Form College", "Further education", "M12 6CC"),
]
LOGO_SIZE = (160, 80)
LOGO_COLOUR = (200, 30, 60)


def gias_file(path: Path) -> Path:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=GIAS_COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for number, (urn, name, kind, postcode) in enumerate(SCHOOLS, start=4001):
        writer.writerow(
            {
                "GOR (name)": "North West",
                "URN": urn,
                "LA (code)": "352",
                "LA (name)": "Manchester",
                "EstablishmentNumber": str(number),
                "EstablishmentName": name,
                "TypeOfEstablishment (name)": kind,
                "EstablishmentStatus (name)": "Open",
                "Trusts (code)": "",
                "Trusts (name)": "",
                "UKPRN": "",
                "Street": "Stretford Road",
                "Town": "Manchester",
                "Postcode": postcode,
            }
        )
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path


def png_file(path: Path) -> Path:
    Image.new("RGB", LOGO_SIZE, LOGO_COLOUR).save(path, format="PNG")
    return path


def pdf_file(path: Path) -> Path:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return path


class Person(Session):
    """A browser session signed in with an e-mail address and password rather than a persona."""

    def __init__(self, base_url: str, page: Page) -> None:
        self.context = page.context
        self.page = page
        self.base_url = base_url
        # Every address this person's browser asked for: none may be the admin's.
        self.requested: list[str] = []
        self.context.on("request", lambda request: self.requested.append(request.url))

    @classmethod
    def sign_in(cls, browser, base_url: str, email: str, password: str) -> Person:  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.goto(f"{base_url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
        return cls(base_url, page)

    @classmethod
    def accept_invitation(cls, browser, base_url: str, email: str, name: str) -> Person:  # type: ignore[no-untyped-def]
        """Follow the link in the invitation e-mail and set a password: signed in at once."""
        message = OutboxMessage.objects.filter(to=email).latest("pk")
        link = re.search(r"https?://\S+/invitations/\S+/", message.body)
        assert link is not None, message.body
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.goto(f"{base_url}/{link.group(0).split('/', 3)[3]}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
        page.get_by_label("New password", exact=True).fill("a-long-and-unusual-phrase")
        page.get_by_label("New password confirmation").fill("a-long-and-unusual-phrase")
        page.get_by_role("button", name="Set my password and sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
        expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
        return cls(base_url, page)


def invite(page: Page, base_url: str, email: str, name: str, role: str, **scope: str) -> None:
    """Invite a person from /people/invite/ with one role; `scope` names the role's union and
    area by their labels, and its employer by URN."""
    page.goto(f"{base_url}/people/invite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a person")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Role", exact=True).select_option(label=role)
    for field, value in scope.items():
        if field == "employer":
            page.locator("#id_employer").fill(value)
        else:
            page.locator(f"#id_{field}").select_option(label=value)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("person-status")).to_have_text("Invited, not yet signed in")


def test_a_union_starts_from_empty_and_lists_its_first_member_through_the_pages(
    browser,  # type: ignore[no-untyped-def]
    live_server,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # What `make setup` loads, and the first superuser as `manage.py createsuperuser` makes it.
    call_command("load_builtin_schemes", verbosity=0)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", SUPERUSER_PASSWORD)
    call_command(
        "createsuperuser",
        interactive=False,
        username="admin",
        email="admin@example.org",
        verbosity=0,
    )
    assert get_user_model().objects.count() == 1
    assert not Employer.objects.exists()
    url = live_server.url

    # The superuser makes the first national officer.
    admin = Person.sign_in(browser, url, "admin@example.org", SUPERUSER_PASSWORD)
    admin.page.get_by_test_id("superuser").get_by_role(
        "link", name="invite a national officer"
    ).click()
    expect(admin.page.get_by_role("heading", level=1)).to_have_text("Invite a person")
    invite(
        admin.page,
        url,
        "officer@nasuwt.example.org",
        "Olu Officer",
        "National officer",
        union="NASUWT",
    )
    admin.close()
    officer = Person.accept_invitation(browser, url, "officer@nasuwt.example.org", "Olu Officer")
    page = officer.page
    expect(page.get_by_test_id("part-officer")).to_be_visible()

    # The officer sets up a region, imports employers into it, then adds a NEM district and
    # an association covering the employers' local authority.
    page.get_by_role("link", name="Areas").click()
    page.get_by_role("link", name="New region").click()
    page.get_by_label("Name").fill("North West")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Done: region created.")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Import employers").click()
    page.get_by_label("GIAS establishment file (CSV)").set_input_files(
        gias_file(tmp_path / "edubasealldata.csv")
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("3 rows: 3 created")

    page.goto(f"{url}/areas/")
    page.get_by_role("link", name="New NEM district").click()
    page.get_by_label("Name").fill("North West district")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Done: NEM district created.")).to_be_visible()

    page.get_by_role("link", name="New local association").click()
    page.get_by_label("Name").fill("Manchester")
    page.get_by_label("Region").select_option(label="North West")
    page.get_by_label("NEM district").select_option(label="North West district")
    page.get_by_label("Manchester", exact=True).check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Done: local association created.")).to_be_visible()
    page.get_by_role("link", name="Employers", exact=True).click()
    page.get_by_role("link", name=SCHOOL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SCHOOL)
    for term, value in (("Association", "Manchester"), ("Region", "North West")):
        expect(page.locator(f"dt:text-is('{term}') + dd")).to_have_text(value)

    # The officer invites everyone the process needs: a partner union with nobody in the
    # area is marked not represented later, by the secretary.
    people = {
        "secretary": ("Sam Secretary", "Local secretary", "NASUWT", {"association": "Manchester"}),
        "nem": (
            "Nadia Nem",
            "National Executive Member",
            "NASUWT",
            {"district": "North West district"},
        ),
        "rep": ("Ravi Rep", "Workplace representative", "NASUWT", {"employer": "140001"}),
        "gmb": ("Gita Gale", "Partner-union representative", "GMB", {"association": "Manchester"}),
        "unison": (
            "Una Ude",
            "Partner-union representative",
            "UNISON",
            {"association": "Manchester"},
        ),
        "employer": ("Erin Head", "Employer contact", None, {"employer": "140001"}),
    }
    for key, (name, role, union, scope) in people.items():
        if union:
            scope = {"union": union, **scope}
        invite(page, url, f"{key}@example.org", name, role, **scope)

    # ... and uploads a material and the logo on the scheme's page.
    page.get_by_role("link", name="Schemes").click()
    page.get_by_role("link", name="Valued Worker Scheme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Valued Worker Scheme")
    page.get_by_role("link", name="Add a material").click()
    page.get_by_label("Title").fill("Guide for employers")
    page.get_by_label("File").set_input_files(pdf_file(tmp_path / "guide-for-employers.pdf"))
    page.get_by_label("Public: anyone may open it, signed in or not").check()
    page.get_by_role("button", name="Add the material").click()
    expect(page.get_by_text("Done: material added.")).to_be_visible()
    expect(page.get_by_role("link", name="Guide for employers", exact=True)).to_be_visible()
    page.get_by_role("link", name="Upload the logo").click()
    page.get_by_label("Logo").set_input_files(png_file(tmp_path / "vws-logo.png"))
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("Done: logo uploaded.")).to_be_visible()
    expect(page.get_by_text("Members' logo packs contain this logo.")).to_be_visible()

    # Every invitee sets a password from the e-mailed link.
    signed_in = {
        key: Person.accept_invitation(browser, url, f"{key}@example.org", name)
        for key, (name, *_) in people.items()
    }
    rep, secretary, nem = signed_in["rep"], signed_in["secretary"], signed_in["nem"]

    # The rep proposes the employer from their start page.
    page = rep.page
    expect(page.get_by_test_id("part-rep")).to_be_visible()
    page.get_by_role("link", name=re.compile(f"^Propose your employer.*{SCHOOL}")).click()
    page.get_by_label("A union representative identified the employer").check()
    page.get_by_label("Why is the employer suitable for the scheme?").fill(
        "Staff are consulted termly; a good first member."
    )
    page.get_by_role("button", name="Propose the employer").click()
    expect(page.get_by_test_id("state")).to_have_text("Proposed")

    page = secretary.task("Endorse the proposal")
    page.get_by_label("Note").fill("Strong case: the JCC already meets.")
    secretary.submit("Endorse the proposal")

    nem.task("Record no objection")
    nem.submit("Record no objection")

    for key in ("gmb", "unison"):
        partner = signed_in[key]
        partner.task("Record a partner union's position").get_by_label("Agrees", exact=True).check()
        partner.submit("Record a partner union's position")

    page = secretary.task("Mark a partner union not represented locally")
    page.get_by_label("Partner union").select_option(label="Unite")
    secretary.submit("Mark a partner union not represented locally")
    expect(page.get_by_test_id("state")).to_have_text("Partner unions agreed")

    approach_to_commitment(secretary, material="Guide for employers")

    # GMB and UNISON agreed, so they are represented locally: each co-signs the commitment.
    for key in ("gmb", "unison"):
        partner = signed_in[key]
        page = partner.task("Co-sign the commitment for a partner union")
        page.get_by_label("I confirm the commitment as drafted on behalf of my union.").check()
        partner.submit("Co-sign the commitment for a partner union")

    employer = signed_in["employer"]
    page = employer.task("Confirm the commitment for the employer")
    expect(page.get_by_text("Set up a joint consultation committee.")).to_be_visible()
    page.get_by_label("I confirm the commitment as drafted on behalf of the employer.").check()
    page.get_by_label(re.compile("^We accept the logo terms")).check()
    employer.submit("Confirm the commitment for the employer")
    expect(page.get_by_test_id("state")).to_have_text("Commitment confirmed")

    secretary.task("Record that the employer has joined")
    secretary.submit("Record that the employer has joined")

    nem.task("Notify the national union")
    nem.submit("Notify the national union")

    page = officer.task("List on the register and send the logo")
    officer.submit("List on the register and send the logo")
    expect(page.get_by_test_id("state")).to_have_text("Listed on the register")

    # The employer is on the public register, and its logo pack holds the uploaded logo.
    public = browser.new_context(viewport={"width": 1100, "height": 900})
    visitor = public.new_page()
    visitor.goto(f"{url}/register/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Register of member employers")
    visitor.get_by_role("link", name=SCHOOL).click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(SCHOOL)
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Download the logo pack").click()
    with zipfile.ZipFile(download.value.path()) as pack:
        names = pack.namelist()
        logo = Image.open(io.BytesIO(pack.read("logo.png")))
    assert "logo.svg" not in names
    assert logo.size == LOGO_SIZE
    assert logo.convert("RGB").getpixel((10, 10)) == LOGO_COLOUR
    public.close()

    rep.page.goto(f"{url}/tasks/")
    expect(rep.page.get_by_test_id("rep-propose")).to_contain_text(f"{SCHOOL} is a member")
    everyone = (admin, officer, *signed_in.values())
    assert not [u for person in everyone for u in person.requested if "/admin/" in u]
    for person in everyone[1:]:
        person.close()
