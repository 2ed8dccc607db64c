"""Edits made in the admin are on the audit trail, before and after."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.core.models import AuditEvent
from accord.organisations.models import Region
from tests.world import World


def test_admin_edits_and_deletions_are_recorded(world: World) -> None:
    admin = User.objects.create_superuser(
        "root@example.org", "root@example.org", "pw", full_name="Root"
    )
    client = Client()
    client.force_login(admin)
    region = Region.objects.get(name="North")
    response = client.post(
        reverse("admin:organisations_region_change", args=[region.pk]), {"name": "North East"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="region.updated")
    assert event.changes == {"name": ["North", "North East"]}
    assert event.actor == admin
    spare = Region.objects.create(name="Spare")
    client.post(reverse("admin:organisations_region_delete", args=[spare.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(action="region.deleted", target_id=str(spare.pk)).exists()
