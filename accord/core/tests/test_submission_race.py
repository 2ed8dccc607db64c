"""Three POSTs of one policy log at the same moment make one policy check (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from accord.enrolments.process import State
from accord.membership.models import Membership, PolicyCheck
from tests.world import build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_three_simultaneous_posts_of_one_policy_log_make_one_policy_check() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent connections: run against PostgreSQL (DATABASE_URL)")
    world = build_world()
    membership = Membership.objects.get(enrolment=world.enrolment(State.LISTED))
    url = f"/memberships/{membership.pk}/policy-checks/new/"
    data = {"title": "Flexible working", "description": "x", "submission_token": "a" * 32}
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def post() -> None:
        client = Client()
        client.force_login(world.users["employer"])
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302, 302]
    assert PolicyCheck.objects.count() == 1
