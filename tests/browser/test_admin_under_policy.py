"""The Django admin works in Chromium under the site's Content-Security-Policy: a superuser signs
in on Accord's own page, and every registered model's list, add page and first object's change
page open with their scripts running (the date shortcuts, the two-list chooser) and no
refusal in the console (the browser fixture fails the test on one)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from accord.accounts.models import User
from tests.site import build_site
from tests.world import PASSWORD, World

from .session import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_superuser_uses_the_admin_under_the_policy(
    browser,
    live_server,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    build_site(world)
    User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    superuser = Session(browser, live_server.url, "root")
    page = superuser.page
    opened = 0
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls = [reverse(f"{name}_changelist")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            opened += 1
    assert opened > len(admin.site._registry)

    # The admin's own scripts run: they are files from this site, which the policy allows.
    page.goto(live_server.url + reverse("admin:organisations_region_add"))
    expect(page.get_by_role("link", name="Today")).to_be_visible()
    page.goto(live_server.url + reverse("admin:auth_group_add"))
    expect(page.get_by_role("button", name="Choose all permissions")).to_be_visible()
    superuser.close()
