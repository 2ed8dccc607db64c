"""The Django admin is for superusers only, and none of its pages fails: every registered
model's list, add and change page opens, and its change form posted as shown does not 500.
Models are found from the admin's registry, so a newly registered one is covered."""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse

from accord.accounts import services
from accord.accounts.models import User
from accord.core.outbox import deliver_message
from accord.core.tests.test_admin_audit import _FormReader, _post_data
from tests.site import build_site
from tests.world import World

pytestmark = pytest.mark.django_db


def _objects(model: type[models.Model], world: World) -> list[models.Model]:
    """The first and last object of `model`; what the site lacks is made here."""
    manager = model._default_manager
    if not manager.exists():
        if model is Group:
            Group.objects.create(name="Editors")
        elif model._meta.label == "account.EmailAddress":
            services.mark_email_verified(world.users["rep"])
        elif model._meta.label == "django_tasks_database.DBTaskResult":
            deliver_message.enqueue(0)
    ordered = manager.order_by("pk")
    found = list({o.pk: o for o in (ordered.first(), ordered.last()) if o is not None}.values())
    assert found, f"nothing to open for {model._meta.label}: the site should have one"
    return found


def _superuser() -> Client:
    root = User.objects.create_superuser("root@example.org", "root@example.org", "pw")
    client = Client()
    client.force_login(root)
    return client


def test_a_superuser_opens_every_admin_page_and_no_change_form_fails(world: World) -> None:
    build_site(world)
    client = _superuser()
    opened = 0
    logging.disable(logging.WARNING)  # refused posts (read-only admins) log a warning each
    try:
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            name = f"admin:{opts.app_label}_{opts.model_name}"
            assert client.get(reverse(f"{name}_changelist")).status_code == 200, opts.label
            add = client.get(reverse(f"{name}_add"))
            assert add.status_code == (
                200 if model_admin.has_add_permission(add.wsgi_request) else 403
            ), opts.label
            for obj in _objects(model, world):
                url = reverse(f"{name}_change", args=[obj.pk])
                page = client.get(url)
                assert page.status_code == 200, url
                reader = _FormReader()
                reader.feed(page.content.decode())
                posted = client.post(url, _post_data(reader.fields, fill=False))
                assert posted.status_code < 500, url
                opened += 1
    finally:
        logging.disable(logging.NOTSET)
    assert opened >= len(admin.site._registry)


@pytest.mark.parametrize("who", ["officer", "secretary", "staff"])
def test_the_admin_refuses_everyone_but_superusers(world: World, who: str) -> None:
    if who == "staff":
        user = User.objects.create_user(
            "staff@example.org", email="staff@example.org", is_staff=True
        )
    else:
        user = world.users[who]
    client = Client()
    client.force_login(user)
    for url in ("/admin/", reverse("admin:organisations_association_changelist")):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
    assert client.get(reverse("admin:login")).status_code == 403


def test_signing_in_to_the_admin_goes_through_accords_sign_in_page(world: World) -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302
    followed = Client().get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"].startswith(reverse("login") + "?next=")
