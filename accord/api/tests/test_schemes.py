"""The scheme pages' changes over the API: creating a scheme (a superuser's), editing it, adding
a principle, and the materials (links and files), with the pages' forms, services and rules.
Expected answers are written from the pages' behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accord.accounts.models import User
from accord.schemes.models import Material, Scheme
from tests.world import World, build_world

from .client import ApiClient

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BOUNDARY = "accord-boundary"


@dataclass
class Schemes:
    world: World
    root: User


@pytest.fixture(scope="module")
def schemes(django_db_setup: None, django_db_blocker: Any) -> Iterator[Schemes]:
    """One world for the module, rolled back at the end; each test's writes are rolled back
    after it (the `db` fixture)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = build_world()
        # The built-in scheme's own materials are taken off the list: each test counts its own.
        Material.objects.update(removed_at=timezone.now())
        root = User.objects.create_superuser(
            "root@example.org", email="root@example.org", password=None, full_name="Root"
        )
        yield Schemes(world, root)
        transaction.set_rollback(True)


def _as(schemes: Schemes, persona: str, **kwargs: Any) -> ApiClient:
    user = schemes.root if persona == "root" else schemes.world.users[persona]
    return ApiClient(user, **kwargs)


def _new_scheme(schemes: Schemes, **changes: Any) -> dict[str, Any]:
    unions = schemes.world.unions
    data = {
        "name": "Fair Work Scheme",
        "slug": "fws",
        "lead_union": unions["UNISON"].pk,
        "partner_unions": [unions["GMB"].pk],
        "default_cycle_months": 12,
        "summary": "Fair work, agreed.",
        "contact_email": "fws@example.org",
    }
    data.update(changes)
    return data


def test_only_a_superuser_creates_a_scheme(schemes: Schemes) -> None:
    for persona in ("officer", "auditor", "rep", "employer"):
        assert _as(schemes, persona).post("schemes/", _new_scheme(schemes)).status_code == 403
    root = _as(schemes, "root")
    response = root.post("schemes/", _new_scheme(schemes), **{"Idempotency-Key": "fws-1"})
    assert response.status_code == 201, response.json()
    assert response["Location"] == "/api/v1/schemes/fws/"
    body = response.json()
    assert body["lead_union"]["slug"] == schemes.world.unions["UNISON"].slug
    assert [u["id"] for u in body["partner_unions"]] == [schemes.world.unions["GMB"].pk]
    assert body["lapse_grace_months"] == 3 and body["principles"] == []
    replayed = root.post("schemes/", _new_scheme(schemes), **{"Idempotency-Key": "fws-1"})
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert Scheme.objects.filter(slug="fws").count() == 1
    taken = root.post("schemes/", _new_scheme(schemes, name="Other"))
    assert taken.status_code == 400
    assert taken.json()["errors"] == {
        "slug": ["Another scheme has this short name in its address."]
    }


def test_a_new_scheme_is_checked_by_the_page_form(schemes: Schemes) -> None:
    root = _as(schemes, "root")
    response = root.post(
        "schemes/",
        _new_scheme(schemes, slug="Not a slug", default_cycle_months=0, partner_unions="x"),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"slug", "default_cycle_months", "partner_unions"}
    assert root.post("schemes/", ["not", "an", "object"]).status_code == 400
    assert root.post("schemes/", _new_scheme(schemes, lead_union={"id": 1})).status_code == 400


EDIT_ANSWERS = {
    "officer": 200,
    "other_officer": 403,  # reads schemes, but UNISON does not lead this one
    "auditor": 403,
    "rep": 403,
    "employer": 403,
    "outsider": 403,
}


def test_the_lead_unions_officers_edit_the_scheme(schemes: Schemes) -> None:
    scheme = schemes.world.scheme
    data = {
        "name": scheme.name,
        "slug": scheme.slug,
        "default_cycle_months": 18,
        "summary": "A new summary.",
        "contact_email": "scheme@example.org",
    }
    answers = {
        p: _as(schemes, p).put(f"schemes/{scheme.slug}/", data).status_code for p in EDIT_ANSWERS
    }
    assert answers == EDIT_ANSWERS
    read_only = _as(schemes, "officer", read_only=True).put(f"schemes/{scheme.slug}/", data)
    assert read_only.status_code == 403
    assert _as(schemes, "officer").put("schemes/no-such-scheme/", data).status_code == 404
    saved = Scheme.objects.get(pk=scheme.pk)
    assert (saved.default_cycle_months, saved.summary) == (18, "A new summary.")


def test_an_officer_cannot_choose_the_schemes_unions(schemes: Schemes) -> None:
    scheme = schemes.world.scheme
    unions = schemes.world.unions
    lead = scheme.lead_union
    partners = sorted(u.pk for u in scheme.partner_unions.all())
    data = {
        "name": scheme.name,
        "slug": scheme.slug,
        "default_cycle_months": 12,
        "lead_union": unions["UNISON"].pk,
        "partner_unions": [],
    }
    response = _as(schemes, "officer").put(f"schemes/{scheme.slug}/", data)
    assert response.status_code == 200, response.json()
    assert response.json()["lead_union"]["id"] == lead.pk
    assert sorted(u["id"] for u in response.json()["partner_unions"]) == partners
    by_root = _as(schemes, "root").put(f"schemes/{scheme.slug}/", data)
    assert by_root.json()["partner_unions"] == []


def test_a_principle_is_added_after_the_last(schemes: Schemes) -> None:
    url = f"schemes/{schemes.world.scheme.slug}/principles/"
    data = {"short_title": "Learning", "wording": "Time to learn."}
    assert _as(schemes, "other_officer").post(url, data).status_code == 403
    assert _as(schemes, "rep").post(url, data).status_code == 403
    assert _as(schemes, "officer").post("schemes/nope/principles/", data).status_code == 404
    missing = _as(schemes, "officer").post(url, {"short_title": "Learning"})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"wording": ["This field is required."]}
    response = _as(schemes, "officer").post(url, data)
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 7
    assert response.json()["current"]["wording"] == "Time to learn."
    assert response["Location"] == f"/api/v1/{url}7/"


# --- materials --------------------------------------------------------------------------------


def _materials_url(schemes: Schemes) -> str:
    return f"schemes/{schemes.world.scheme.slug}/materials/"


def _pdf(name: str = "Guide for employers.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def test_materials_are_read_by_scheme_readers_and_changed_by_the_lead_officers(
    schemes: Schemes,
) -> None:
    url = _materials_url(schemes)
    link = {"title": "Our video", "url": "https://example.org/video", "public": True}
    reads = {p: _as(schemes, p).get(url).status_code for p in ("officer", "auditor", "rep")}
    assert reads == {"officer": 200, "auditor": 200, "rep": 403}
    adds = {p: _as(schemes, p).post(url, link).status_code for p in ("auditor", "other_officer")}
    assert adds == {"auditor": 403, "other_officer": 403}
    officer = _as(schemes, "officer")
    added = officer.post(url, link)
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["title"], body["url"], body["public"], body["file_name"]) == (
        "Our video",
        "https://example.org/video",
        True,
        "",
    )
    assert added["Location"] == f"/api/v1/{url}{body['id']}/"
    assert body["download"] == f"/schemes/{schemes.world.scheme.slug}/materials/{body['id']}/"
    assert [m["title"] for m in officer.get(url).json()] == ["Our video"]


def test_a_material_file_is_uploaded_replaced_and_removed(schemes: Schemes) -> None:
    url = _materials_url(schemes)
    officer = _as(schemes, "officer")
    added = officer.upload(url, {"title": "Guide", "file": _pdf(), "position": "3"})
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["file_name"], body["content_type"], body["position"]) == (
        "Guide for employers.pdf",
        "application/pdf",
        3,
    )
    one = f"{url}{body['id']}/"
    replaced = officer.client.put(
        "/api/v1/" + one,
        encode_multipart(BOUNDARY, {"title": "Guide, 2nd edition", "file": _pdf("Guide 2.pdf")}),
        content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", BOUNDARY),
        headers=officer.headers,
    )
    assert replaced.status_code == 200, replaced.json()
    assert (replaced.json()["title"], replaced.json()["file_name"]) == (
        "Guide, 2nd edition",
        "Guide 2.pdf",
    )
    not_a_pdf = officer.upload(url, {"title": "Bad", "file": _pdf("notes.txt")})
    assert not_a_pdf.status_code == 422
    assert set(not_a_pdf.json()["errors"]) == {"file"}
    neither = officer.post(url, {"title": "Nothing"})
    assert neither.status_code == 422
    assert neither.json()["errors"] == {"file": ["Give a link, or choose a file to upload."]}
    assert _as(schemes, "auditor").delete(one).status_code == 403
    assert officer.delete(one).status_code == 204
    assert officer.get(one).status_code == 404
    assert officer.delete(one).status_code == 404
    assert Material.objects.get(pk=body["id"]).removed_at is not None


def test_the_materials_list_reads_as_many_queries_for_2_as_for_20(schemes: Schemes) -> None:
    officer = _as(schemes, "officer")
    url = _materials_url(schemes)
    officer.get(url)  # the token's first use is recorded once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            officer.get(url)
        return len(captured)

    scheme = schemes.world.scheme
    for n in range(2):
        Material.objects.create(scheme=scheme, title=f"Link {n}", url="https://example.org/")
    few = queries()
    for n in range(2, 20):
        Material.objects.create(scheme=scheme, title=f"Link {n}", url="https://example.org/")
    assert len(officer.get(url).json()) == 20
    assert queries() == few
