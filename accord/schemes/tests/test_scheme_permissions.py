"""Who may open each scheme page: a hand-written table, from the brief.

National officers run the schemes their union leads (a superuser any scheme); every national
officer and the auditor read them; everyone else is refused. A material marked public, and the
logo, are for anyone; a material that is not public is for union staff and for the contacts of
an employer with an enrolment in its scheme.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.accounts.models import User
from accord.enrolments.process import State
from accord.schemes import services
from accord.schemes.models import Material
from tests.world import PASSWORD, World

from .images import png

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PEOPLE = [
    "officer",
    "other_officer",
    "superuser",
    "auditor",
    "secretary",
    "rep",
    "nem",
    "gmb",
    "employer",
    "anonymous",
]
LOGIN = "login"

# Page → the answer each person gets, in the order of PEOPLE.
READ = [200, 200, 200, 200, 403, 403, 403, 403, 403, LOGIN]
MANAGE = [200, 403, 200, 403, 403, 403, 403, 403, 403, LOGIN]
# Only a superuser makes a scheme: leading one widens a union's officers' reach.
CREATE = [403, 403, 200, 403, 403, 403, 403, 403, 403, LOGIN]
TABLE = {
    "/schemes/": READ,
    "/schemes/new/": CREATE,
    "/schemes/vws/": READ,
    "/schemes/vws/edit/": MANAGE,
    "/schemes/vws/principles/4/": READ,
    "/schemes/vws/principles/4/edit/": MANAGE,
    "/schemes/vws/principles/new/": MANAGE,
    "/schemes/vws/materials/new/": MANAGE,
    "/schemes/vws/materials/{private}/edit/": MANAGE,
    "/schemes/vws/materials/{private}/remove/": MANAGE,
    "/schemes/vws/logo/": MANAGE,
    # The employer contact's employer has no enrolment yet: not a material of theirs.
    "/schemes/vws/materials/{private}/": [200, 200, 200, 200, 200, 200, 200, 200, 403, LOGIN],
    "/schemes/vws/materials/{public}/": [200] * 10,
    "/schemes/vws/logo.png": [200] * 10,
}


@pytest.fixture
def pages(world: World, settings, tmp_path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    officer = world.users["officer"]
    private = services.add_material(
        world.scheme,
        actor=officer,
        title="Information for employers",
        file=SimpleUploadedFile("info.pdf", PDF),
    )
    public = services.add_material(
        world.scheme,
        actor=officer,
        title="Leaflet",
        file=SimpleUploadedFile("l.pdf", PDF),
        public=True,
    )
    services.upload_logo(world.scheme, actor=officer, file=SimpleUploadedFile("l.png", png()))
    User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    return {"private": private.pk, "public": public.pk}


def _client(person: str) -> Client:
    client = Client()
    if person == "superuser":
        client.login(username="root@example.org", password=PASSWORD)
    elif person != "anonymous":
        assert client.login(username=f"{person}@example.org", password=PASSWORD)
    return client


def _answer(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def test_each_scheme_page_answers_each_person_as_the_table_says(pages: dict[str, int]) -> None:
    found = {}
    for person in PEOPLE:
        client = _client(person)
        for page in TABLE:
            found[(page, person)] = _answer(client.get(page.format(**pages)))
    expected = {
        (page, person): answer
        for page, answers in TABLE.items()
        for person, answer in zip(PEOPLE, answers, strict=True)
    }
    wrong = {key: (found[key], answer) for key, answer in expected.items() if found[key] != answer}
    assert wrong == {}


def test_a_refused_post_changes_nothing(world: World, pages: dict[str, int]) -> None:
    for person in ("auditor", "other_officer", "secretary", "employer"):
        response = _client(person).post(
            "/schemes/vws/principles/4/edit/",
            {"short_title": "Pay", "wording": "Something else", "footnote": "", "reason": ""},
        )
        assert response.status_code == 403
        response = _client(person).post(f"/schemes/vws/materials/{pages['private']}/remove/", {})
        assert response.status_code == 403
    assert world.scheme.principles.get(number=4).versions.count() == 2
    assert Material.objects.get(pk=pages["private"]).removed_at is None


def test_the_employer_contact_opens_the_materials_once_its_employer_is_in_the_scheme(
    world: World, pages: dict[str, int]
) -> None:
    world.enrolment(State.LISTED)
    url = f"/schemes/vws/materials/{pages['private']}/"
    assert _client("employer").get(url).status_code == 200
    # Another employer's contact, whose employer has no enrolment, is still refused.
    assert _client("other_employer").get(url).status_code == 403


def test_a_contact_of_another_schemes_employer_is_refused(
    world: World, pages: dict[str, int]
) -> None:
    world.enrolment(State.LISTED)  # the employer is in the Valued Worker Scheme
    other = services.create_scheme(
        actor=world.users["officer"],
        data={
            "name": "Fair Schools Scheme",
            "slug": "fair-schools",
            "lead_union": world.unions["NASUWT"],
            "partner_unions": [],
            "default_cycle_months": 12,
        },
    )
    material = services.add_material(
        other, actor=world.users["officer"], title="Guide", file=SimpleUploadedFile("g.pdf", PDF)
    )
    response = _client("employer").get(f"/schemes/fair-schools/materials/{material.pk}/")
    assert response.status_code == 403
    assert _client("rep").get(f"/schemes/fair-schools/materials/{material.pk}/").status_code == 200


def test_only_officers_and_the_auditor_see_schemes_in_the_navigation(world: World) -> None:
    for person, shown in [
        ("officer", True),
        ("other_officer", True),
        ("auditor", True),
        ("secretary", False),
        ("rep", False),
        ("nem", False),
        ("gmb", False),
        ("employer", False),
    ]:
        html = _client(person).get("/tasks/").content.decode()
        assert ('href="/schemes/"' in html) is shown, person
