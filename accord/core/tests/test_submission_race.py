"""Three POSTs of one policy log at the same moment make one policy check (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.enrolments.process import State
from accord.membership.models import Membership, PolicyCheck
from tests.concurrency import in_threads
from tests.world import build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_three_simultaneous_posts_of_one_policy_log_make_one_policy_check() -> None:
    world = build_world()
    membership = Membership.objects.get(enrolment=world.enrolment(State.LISTED))
    url = f"/memberships/{membership.pk}/policy-checks/new/"
    data = {"title": "Flexible working", "description": "x", "submission_token": "a" * 32}
    clients = []
    for _ in range(3):
        client = Client()
        client.force_login(world.users["employer"])
        clients.append(client)

    statuses = in_threads(*(lambda c=c: c.post(url, data).status_code for c in clients))
    assert statuses == [302, 302, 302]
    assert PolicyCheck.objects.count() == 1
