"""Project-wide safety nets: no pending migrations, one <h1> per page, accessible forms."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accord.enrolments.process import STEPS, State
from tests.world import PASSWORD, World


def test_there_are_no_pending_migrations(db: None) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def _pages(world: World) -> list[tuple[str, str]]:
    enrolment = world.enrolment(State.INTRODUCED)
    pages = [
        ("anonymous", reverse("home")),
        ("anonymous", reverse("process")),
        ("anonymous", reverse("login")),
        ("secretary", reverse("tasks")),
        ("secretary", reverse("enrolments")),
        ("secretary", reverse("employers")),
        ("secretary", world.employer.get_absolute_url()),
        ("secretary", enrolment.get_absolute_url()),
        ("secretary", reverse("enrolment-letter", args=[enrolment.pk])),
        ("secretary", reverse("enrolment-agenda-item", args=[enrolment.pk])),
        ("secretary", reverse("employer-propose", args=[world.trust.pk])),
        ("officer", reverse("employers-import")),
    ]
    pages += [
        ("secretary", reverse("enrolment-step", args=[enrolment.pk, s.name]))
        for s in STEPS
        if enrolment.state in s.sources and "local_secretary" in s.roles
    ]
    return pages


@pytest.mark.django_db
def test_every_page_has_one_h1_a_skip_link_and_labelled_inputs(world: World) -> None:
    for persona, url in _pages(world):
        client = Client()
        if persona != "anonymous":
            client.login(username=f"{persona}@example.org", password=PASSWORD)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(re.findall(r"<h1[ >]", html)) == 1, url
        assert 'href="#main"' in html, url
        ids = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if re.search(r'type="(hidden|submit|checkbox|radio)"', tag):
                continue
            found = re.search(r'id="([^"]+)"', tag)
            assert found and found.group(1) in ids, (url, tag)
