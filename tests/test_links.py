"""Every link a person is shown leads somewhere they may go: no page lists a related object
with a link that answers 403."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client

from accord.accounts.models import Role, RoleAssignment, User
from accord.demo.data import Journey
from accord.enrolments.process import State
from tests.world import World

LINK = re.compile(r'href="(/[^"#?]*)')
# Files and pictures: opened by their own tests.
NOT_PAGES = re.compile(r"\.(docx|csv|xlsx|json|ics|svg|zip)$|^/static/|^/evidence/")
MOST_PAGES = 40


def _contact(employer, key: str) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(f"{key}@example.org", email=f"{key}@example.org")
    RoleAssignment.objects.create(user=user, role=Role.EMPLOYER_CONTACT, employer=employer)
    return user


@pytest.fixture
def people(world: World) -> dict[str, User]:
    trust_contact = _contact(world.trust, "trust_contact")
    Journey(world.scheme, {**world.users, "employer": trust_contact}).to(
        world.trust, State.LISTED, "secretary"
    )
    world.enrolment(State.LISTED)
    plan = world.plan()
    member = User.objects.create_user("member@example.org", email="member@example.org")
    RoleAssignment.objects.create(
        user=member,
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    return {
        "trust_contact": trust_contact,
        "academy_contact": _contact(world.academy, "academy_contact"),
        "employer": world.users["employer"],
        "rep": world.users["rep"],
        "unison": world.users["unison"],
        "plan_member": member,
    }


@pytest.mark.parametrize(
    "persona",
    ["trust_contact", "academy_contact", "employer", "rep", "unison", "plan_member"],
)
def test_every_link_shown_opens_for_the_person_shown_it(people, persona: str) -> None:
    client = Client()
    client.force_login(people[persona])
    # The landing page, and the directory (which sends an employer contact to its employer).
    queue = deque((path, client.get(path, follow=True)) for path in ("/tasks/", "/employers/"))
    seen = {"/tasks/", "/employers/", "/accounts/logout/"}
    opened = 0
    while queue and opened < MOST_PAGES:
        page, response = queue.popleft()
        opened += 1
        for href in LINK.findall(response.content.decode()):
            if href in seen or NOT_PAGES.search(href) or href.startswith("/admin/"):
                continue
            seen.add(href)
            followed = client.get(href)
            assert followed.status_code not in (403, 404), f"{page} links to {href}"
            if followed.status_code == 200 and "text/html" in followed["Content-Type"]:
                queue.append((href, followed))
