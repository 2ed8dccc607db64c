"""Uploads go through the configured storage (STORAGES["default"]), never to a local path, so
that app servers keep no files of their own when it is object storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.actions.models import Action, EvidenceFile
from accord.enrolments.process import State
from accord.schemes.tests.images import png
from tests.world import PASSWORD, World

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def storage(settings, tmp_path: Path) -> InMemoryStorage:  # type: ignore[no-untyped-def]
    """Uploads in memory, as they would be in a bucket; the local upload folder stays empty."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert isinstance(storages["default"], InMemoryStorage)
    return storages["default"]


def _client(persona: str) -> Client:
    client = Client()
    assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _nothing_on_disk(tmp_path: Path) -> bool:
    uploads = tmp_path / "uploads"
    return not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_evidence_is_stored_and_downloaded_through_the_configured_storage(
    world: World, storage: InMemoryStorage, tmp_path: Path
) -> None:
    enrolment = world.enrolment(State.LISTED)
    action = Action.objects.filter(cycle__enrolment=enrolment).order_by("number").first()
    assert action is not None
    upload = SimpleUploadedFile("Minutes.pdf", PDF, "application/pdf")
    response = _client("employer").post(
        action.get_absolute_url(), {"text": "Minutes agreed", "file": upload}
    )
    assert response.status_code == 302

    evidence = EvidenceFile.objects.get()
    assert storage.exists(evidence.file.name)
    with storage.open(evidence.file.name, "rb") as stored:
        assert stored.read() == PDF
    assert _nothing_on_disk(tmp_path)

    download = _client("secretary").get(evidence.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_scheme_logo_is_stored_and_served_through_the_configured_storage(
    world: World, storage: InMemoryStorage, tmp_path: Path
) -> None:
    response = _client("officer").post(
        "/schemes/vws/logo/", {"logo": SimpleUploadedFile("logo.png", png())}
    )
    assert response.status_code == 302
    world.scheme.refresh_from_db()
    assert storage.exists(world.scheme.logo.name)
    assert _nothing_on_disk(tmp_path)
    with storage.open(world.scheme.logo.name, "rb") as stored:
        logo = stored.read()
    assert logo.startswith(b"\x89PNG")
    served = Client().get("/schemes/vws/logo.png")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == logo
