"""Progress on a cycle's activities, and evidence files: limits, types, names, access."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document

from accord.actions.models import Action, EvidenceFile
from accord.core.models import AuditEvent
from accord.enrolments.process import State
from tests.world import PASSWORD, World

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


@pytest.fixture
def action(world: World, settings, tmp_path: Path) -> Action:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    enrolment = world.enrolment(State.LISTED)
    return Action.objects.filter(cycle__enrolment=enrolment).order_by("number").first()


def _post(persona: str, action: Action, name: str, content: bytes, **extra: str):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    data = {"text": "Terms of reference drafted", "file": upload, **extra}
    return _client(persona).post(action.get_absolute_url(), data)


def test_the_employer_posts_progress_with_evidence_and_the_status_changes(
    action: Action,
) -> None:
    response = _post("employer", action, "Terms of reference.pdf", PDF, status="in_progress")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == "Terms of reference.pdf"
    stored = Path(evidence.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "Terms" not in stored.name  # stored under a random name
    download = _client("secretary").get(evidence.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="action.progress").count() == 1
    page = _client("rep").get(action.get_absolute_url()).content.decode()
    assert "Terms of reference drafted" in page and evidence.get_absolute_url() in page


def test_a_word_document_is_accepted(action: Action) -> None:
    buffer = io.BytesIO()
    Document().save(buffer)
    assert _post("secretary", action, "minutes.docx", buffer.getvalue()).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "files may be no larger than 10 MB"),
        ("tool.exe", b"MZ\x90\x00", "is not a file type accepted here"),
        ("report.pdf.exe", PDF, "is not a file type accepted here"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "is not really a PDF"),
        ("fake.docx", b"PK\x03\x04not a real archive", "is not really a Word document"),
        ("notes.txt", b"binary\x00data", "is not really a text file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_kept(
    action: Action, name: str, content: bytes, message: str
) -> None:
    response = _post("employer", action, name, content)
    assert response.status_code == 400
    errors = response.context["form"].errors.get("file") or response.context["form"].errors
    assert message in str(errors)
    assert not EvidenceFile.objects.exists()
    assert action.progress.count() == 0
    uploads = Path(settings.MEDIA_ROOT)
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


@pytest.mark.parametrize(
    "hostile",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\evil.pdf",
        "report\x00\x1b[31m.pdf",
        '"><script>alert(1)</script>.pdf',
    ],
)
def test_hostile_names_never_become_paths_and_are_shown_escaped(
    action: Action, hostile: str
) -> None:
    response = _post("employer", action, hostile, PDF)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name
    assert Path(evidence.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    page = _client("secretary").get(action.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page


def test_an_outsider_cannot_fetch_evidence_by_guessing_its_address(action: Action) -> None:
    _post("employer", action, "minutes.pdf", PDF)
    evidence = EvidenceFile.objects.get()
    for persona in ("other_employer", "other_secretary", "outsider"):
        assert _client(persona).get(evidence.get_absolute_url()).status_code == 404, persona
        assert _client(persona).get(reverse("evidence", args=[evidence.pk + 1])).status_code == 404
    anonymous = Client().get(evidence.get_absolute_url())
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # Nothing under the uploads folder is served by address.
    assert Client().get(f"/uploads/{evidence.file.name}").status_code == 404
    assert Client().get(f"/media/{evidence.file.name}").status_code == 404


def test_only_the_parties_post_progress(action: Action) -> None:
    for persona in ("nem", "officer", "auditor", "other_employer"):
        response = _client(persona).post(action.get_absolute_url(), {"text": "x"})
        assert response.status_code == 403, persona
    assert action.progress.count() == 0


def test_evidence_of_exactly_the_limit_is_accepted_and_the_message_says_no_larger_than(
    action: Action,
) -> None:
    limit = 10 * 1024 * 1024
    exactly = PDF + b"0" * (limit - len(PDF))
    assert _post("employer", action, "exactly.pdf", exactly).status_code == 302
    over = _post("employer", action, "over.pdf", exactly + b"0")
    assert over.status_code == 400
    assert over.context["form"].errors["file"] == [
        "The file “over.pdf” is too large: files may be no larger than 10 MB."
    ]
    page = _client("employer").get(action.get_absolute_url()).content.decode()
    assert "no larger than 10 MB" in page
