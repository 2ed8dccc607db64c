"""Scheme materials: links and uploaded files, checked on the way in, served with safe headers,
reordered and removed, and still offered at the introduced step."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.schemes import services
from accord.schemes.models import Material
from tests.world import PASSWORD, World

from .images import jpeg, png

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _client(person: str = "officer") -> Client:
    client = Client()
    assert client.login(username=f"{person}@example.org", password=PASSWORD)
    return client


def _add(name: str, content: bytes, **fields: object):  # type: ignore[no-untyped-def]
    data = {"title": "Information for employers", **fields}
    if name:
        data["file"] = SimpleUploadedFile(name, content, "application/octet-stream")
    return _client().post("/schemes/vws/materials/new/", data)


def _docx() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def test_an_uploaded_file_is_stored_under_a_random_name_and_served_as_an_attachment(
    world: World,
) -> None:
    response = _add("../../Employer guide\x07.pdf", PDF)
    assert response.status_code == 302
    material = Material.objects.get(file_name="Employer guide.pdf")
    stored = Path(material.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "guide" not in stored.name
    assert (material.content_type, material.size, material.public) == (
        "application/pdf",
        len(PDF),
        False,
    )
    download = _client("rep").get(f"/schemes/vws/materials/{material.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Employer guide.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="material.add")
    assert event.actor == world.users["officer"]
    assert event.changes["file_name"] == [None, "Employer guide.pdf"]
    assert event.changes["public"] == [None, False]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        (
            "guide.docx",
            None,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("poster.png", png(), "image/png"),
        ("photo.jpg", jpeg(), "image/jpeg"),
    ],
)
def test_word_png_and_jpeg_files_are_accepted(
    world: World, name: str, content: bytes | None, content_type: str
) -> None:
    assert _add(name, content if content is not None else _docx()).status_code == 302
    assert Material.objects.get(file_name=name).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "is not a file type accepted here"),
        ("logo.svg", b"<svg><script>alert(1)</script></svg>", "is not a file type accepted here"),
        ("video.mp4", b"\x00\x00\x00\x18ftypmp42", "give a video as a link"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "is not really a PDF"),
        ("fake.pptx", b"PK\x03\x04not an archive", "is not really a PowerPoint presentation"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_a_refused_file_is_named_on_the_file_field_and_nothing_is_stored(
    world: World, name: str, content: bytes, message: str
) -> None:
    response = _add(name, content)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert message in errors["file"][0]
    assert name in errors["file"][0] or "The file" in errors["file"][0]
    html = response.content.decode()
    assert 'href="#id_file"' in html  # the error summary links to the field
    assert not Material.objects.filter(title="Information for employers", size__gt=0).exists()
    assert not (Path(settings.MEDIA_ROOT) / "materials").exists()


def test_a_file_over_the_limit_is_refused_saying_the_limit(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SCHEME_MATERIAL_MAX_BYTES = 1024
    response = _add("big.pdf", PDF + b"0" * 2048)
    assert response.status_code in (400, 413)
    assert "no larger than 1 KB" in response.content.decode()


def test_a_material_needs_a_link_or_a_file_and_not_both(world: World) -> None:
    response = _add("", b"")
    assert response.status_code == 400 and "file" in response.context["form"].errors
    response = _add("guide.pdf", PDF, url="https://example.org/guide")
    assert response.status_code == 400 and "url" in response.context["form"].errors


def test_a_link_opens_its_address_and_a_public_material_opens_for_anyone(world: World) -> None:
    assert _add("", b"", url="https://video.example.org/vws", public="on").status_code == 302
    link = Material.objects.get(url="https://video.example.org/vws")
    response = Client().get(f"/schemes/vws/materials/{link.pk}/")
    assert (response.status_code, response["Location"]) == (302, "https://video.example.org/vws")


def test_materials_are_reordered_and_removed_with_the_change_audited(world: World) -> None:
    first, second, third = world.scheme.materials.order_by("position")
    client = _client()
    assert (
        client.post(f"/schemes/vws/materials/{third.pk}/move/", {"direction": "up"}).status_code
        == 302
    )
    order = list(world.scheme.materials.current().order_by("position").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    moved = AuditEvent.objects.get(action="material.move")
    assert moved.changes["order"][1] == [first.title, third.title, second.title]

    assert client.post(f"/schemes/vws/materials/{second.pk}/remove/", {}).status_code == 302
    second.refresh_from_db()
    assert second.removed_at is not None
    assert AuditEvent.objects.get(action="material.remove").changes["removed_at"][0] is None
    page = client.get("/schemes/vws/").content.decode()
    assert f"/schemes/vws/materials/{second.pk}/edit/" not in page
    assert f"/schemes/vws/materials/{third.pk}/edit/" in page
    assert client.get(f"/schemes/vws/materials/{second.pk}/edit/").status_code == 404


def test_an_edit_is_audited_with_before_and_after(world: World) -> None:
    material = world.scheme.materials.order_by("position").first()
    response = _client().post(
        f"/schemes/vws/materials/{material.pk}/edit/",
        {
            "title": "The scheme video",
            "url": "https://video.example.org/vws",
            "position": 5,
            "public": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="material.edit")
    assert event.changes["title"] == [material.title, "The scheme video"]
    assert event.changes["public"] == [False, True]
    assert event.changes["position"] == [material.position, 5]


def test_the_introduced_step_offers_the_current_materials_and_keeps_what_was_sent(
    world: World,
) -> None:
    enrolment = world.enrolment(State.APPROACHED)
    assert _add("guide.pdf", PDF, title="Employer guide").status_code == 302
    guide = Material.objects.get(title="Employer guide")
    retired = world.scheme.materials.get(title="The six principles")
    services.remove_material(retired, actor=world.users["officer"])
    secretary = _client("secretary")
    url = f"/enrolments/{enrolment.pk}/steps/record_introduction/"
    form = secretary.get(url).content.decode()
    assert "Employer guide" in form and "The six principles" not in form
    response = secretary.post(
        url, {"introduced_on": "2026-01-05", "materials_sent": [guide.pk], "note": ""}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()  # drops the materials it was read with
    assert list(enrolment.materials_sent.all()) == [guide]
    services.remove_material(guide, actor=world.users["officer"])
    page = secretary.get(f"/enrolments/{enrolment.pk}/").content.decode()
    assert "sent: Employer guide" in page
