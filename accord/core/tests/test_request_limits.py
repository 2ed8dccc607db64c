"""Request bodies are capped: a page that takes files refuses one larger than its limit before
reading it, with a message saying the limit; every other page refuses a large body likewise."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accord.actions.models import Action, ProgressUpdate
from accord.enrolments.process import State
from accord.organisations.models import Employer
from accord.plans.models import PlanImport
from tests.world import PASSWORD, World

MB = 1024 * 1024


def _client(persona: str) -> Client:
    client = Client()
    client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _claiming(client: Client, url: str, length: int, name: str):  # type: ignore[no-untyped-def]
    """A POST whose declared length is `length`, though only a small body is sent: a page that
    reads the body before checking the length would not answer 413."""
    upload = SimpleUploadedFile(name, b"%PDF-1.7\n", "application/octet-stream")
    return client.post(
        url, {"text": "Done", "title": "Plan", "file": upload}, CONTENT_LENGTH=str(length)
    )


def test_evidence_over_the_limit_is_refused_before_the_body_is_read(world: World) -> None:
    enrolment = world.enrolment(State.LISTED)
    action = Action.objects.filter(cycle__enrolment=enrolment).first()
    response = _claiming(_client("employer"), action.get_absolute_url(), 50 * MB, "big.pdf")
    assert response.status_code == 413
    assert "files may be no larger than 10 MB" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_plan_import_over_the_limit_is_refused_before_the_body_is_read(world: World) -> None:
    response = _claiming(_client("officer"), reverse("plan-import-upload"), 50 * MB, "w.csv")
    assert response.status_code == 413
    assert "files may be no larger than 10 MB" in response.content.decode()
    assert not PlanImport.objects.exists()


def test_a_gias_file_over_the_limit_is_refused_before_the_body_is_read(world: World) -> None:
    employers = Employer.objects.count()
    response = _claiming(_client("officer"), reverse("employers-import"), 500 * MB, "g.csv")
    assert response.status_code == 413
    assert "files may be no larger than 100 MB" in response.content.decode()
    assert Employer.objects.count() == employers


def test_a_page_without_files_refuses_a_large_body(world: World) -> None:
    response = _client("officer").post(
        reverse("plans"),
        {"x": "y"},
        CONTENT_LENGTH=str(django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


@pytest.mark.parametrize("name", ["DATA_UPLOAD_MAX_MEMORY_SIZE", "FILE_UPLOAD_MAX_MEMORY_SIZE"])
def test_bodies_held_in_memory_are_capped_at_a_few_megabytes(name: str) -> None:
    assert getattr(django_settings, name) <= 2.5 * MB
