"""Every change made in the admin is on the audit trail, before and after, through every door."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import count

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from accord.accounts.models import Role, RoleAssignment, User
from accord.accounts.services import mark_email_verified
from accord.core.admin import AuditedAdmin
from accord.core.audit import verify_chain
from accord.core.models import AuditEvent
from accord.organisations.models import Association, LocalAuthority, Region
from tests.world import World


@pytest.fixture
def root(world: World) -> User:
    return User.objects.create_superuser(
        "root@example.org", "root@example.org", "pw", full_name="Root"
    )


@pytest.fixture
def client(root: User) -> Client:
    client = Client()
    client.force_login(root)
    return client


def test_admin_edits_and_deletions_are_recorded(client: Client, root: User) -> None:
    region = Region.objects.get(name="North")
    response = client.post(
        reverse("admin:organisations_region_change", args=[region.pk]), {"name": "North East"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="region.updated")
    assert event.changes == {"name": ["North", "North East"]}
    assert event.actor == root
    spare = Region.objects.create(name="Spare")
    client.post(reverse("admin:organisations_region_delete", args=[spare.pk]), {"post": "yes"})
    deleted = AuditEvent.objects.get(action="region.deleted", target_id=str(spare.pk))
    assert deleted.changes["name"] == ["Spare", None]


def test_a_password_changed_in_the_admin_is_recorded_without_the_password(
    client: Client, world: World
) -> None:
    user = world.users["rep"]
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "An0ther-long-passphrase", "password2": "An0ther-long-passphrase"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.updated", target_id=str(user.pk))
    assert set(event.changes) == {"password"}
    before, after = event.changes["password"]
    assert before != after
    assert "An0ther" not in str(event.changes) and "md5$" not in str(event.changes)


def _user_form(user: User, roles: list[RoleAssignment], **extra: str) -> dict[str, str]:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": str(len(roles)),
        "role_assignments-INITIAL_FORMS": str(len(roles)),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for i, role in enumerate(roles):
        data |= {
            f"role_assignments-{i}-id": str(role.pk),
            f"role_assignments-{i}-user": str(user.pk),
            f"role_assignments-{i}-role": role.role,
            f"role_assignments-{i}-union": str(role.union_id or ""),
            f"role_assignments-{i}-employer": str(role.employer_id or ""),
            f"role_assignments-{i}-association": str(role.association_id or ""),
            f"role_assignments-{i}-district": str(role.district_id or ""),
            f"role_assignments-{i}-region": str(role.region_id or ""),
        }
    return data | extra


def test_deleting_a_role_assignment_in_the_admin_is_recorded_with_what_it_was(
    client: Client, world: World
) -> None:
    user = world.users["secretary"]
    role = user.role_assignments.get()
    data = _user_form(user, [role], **{"role_assignments-0-DELETE": "on"})
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not user.role_assignments.exists()
    event = AuditEvent.objects.get(action="roleassignment.deleted")
    assert event.target_id == str(role.pk)
    assert event.context == f"user:{user.pk}"
    assert event.changes["role"] == ["local_secretary", None]
    assert event.changes["association"] == ["Northtown", None]
    assert event.changes["union"] == ["NASUWT", None]
    assert not AuditEvent.objects.filter(action="user.updated", changes={}).exists()


def test_adding_a_role_assignment_in_the_admin_is_recorded_with_what_it_is(
    client: Client, world: World
) -> None:
    user = world.users["outsider"]
    data = _user_form(user, [])
    data |= {
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-0-user": str(user.pk),
        "role_assignments-0-role": Role.PARTNER_REP,
        "role_assignments-0-union": str(world.unions["GMB"].pk),
        "role_assignments-0-region": str(Region.objects.get(name="North").pk),
    }
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    role = user.role_assignments.get()
    event = AuditEvent.objects.get(action="roleassignment.created")
    assert event.target_id == str(role.pk)
    assert event.changes["role"] == [None, "partner_rep"]
    assert event.changes["union"] == [None, "GMB"]
    assert event.changes["region"] == [None, "North"]


def test_changing_an_associations_local_authorities_in_the_admin_is_recorded(
    client: Client, world: World
) -> None:
    association = Association.objects.get(name="Northtown")
    eastown = LocalAuthority.objects.create(code="903", name="Eastown")
    response = client.post(
        reverse("admin:organisations_association_change", args=[association.pk]),
        {
            "name": "Northtown",
            "region": str(association.region_id),
            "district": str(association.district_id),
            "local_authorities": [
                str(LocalAuthority.objects.get(name="Northtown").pk),
                str(eastown.pk),
            ],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="association.updated")
    assert event.changes == {"local_authorities": [["Northtown"], ["Eastown", "Northtown"]]}


def test_every_admin_that_can_change_data_records_its_changes() -> None:
    for model, model_admin in admin.site._registry.items():
        writes = any(
            getattr(model_admin, f"has_{verb}_permission")(_superuser_request())
            for verb in ("add", "delete")
        ) or model_admin.has_change_permission(_superuser_request())
        if writes:
            assert isinstance(model_admin, AuditedAdmin), model._meta.label


def _superuser_request() -> HttpRequest:
    request = RequestFactory().get("/admin/")
    request.user = User(is_active=True, is_staff=True, is_superuser=True)
    return request


# Every add and change page of every registered model, posted as the page offers it.


class _FormReader(HTMLParser):
    """The fields of the admin's main form with the values the page shows."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self._select: dict[str, str | None] | None = None
        self._textarea: dict[str, str | None] | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            elif tag == "a" and (a.get("id") or "").startswith("lookup_id_") and self.fields:
                # A raw-id field's lookup link names the model whose key the field takes.
                self.fields[-1]["lookup"] = a.get("href")
            return
        if tag == "input":
            kind = a.get("type") or "text"
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.fields.append({"name": a["name"], "value": None, "kind": kind, **a})
                return
            self.fields.append({"value": a.get("value") or "", "kind": kind, **a})
        elif tag == "select":
            self._select = {"value": None, "kind": "select", "options": "", **a}
            self.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = {"value": "", "kind": "textarea", **a}
            self.fields.append(self._textarea)

    def _option(self, a: dict[str, str | None]) -> None:
        assert self._select is not None
        value = a.get("value") or ""
        self._select["options"] = f"{self._select['options']}\n{value}"
        if "selected" in a:
            if "multiple" in self._select:
                self._select["value"] = f"{self._select['value'] or ''}\n{value}".strip("\n")
            else:
                self._select["value"] = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] = f"{self._textarea['value']}{data}"

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            value = self._textarea["value"] or ""
            self._textarea["value"] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "form":
            self._in_form = False


_unique = count(1)


def _page_form(client: Client, url: str) -> list[dict[str, str | None]]:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.fields


def _post_data(fields: list[dict[str, str | None]], *, fill: bool) -> dict[str, list[str]]:
    """What a person submitting the page sends; with `fill`, every empty required field filled."""
    data: dict[str, list[str]] = {}
    for f in fields:
        name, value, kind = f["name"] or "", f["value"], f["kind"]
        if "__prefix__" in name:
            continue
        if fill and not value and ("required" in f or kind == "password"):
            n = next(_unique)
            if kind == "select":
                options = [o for o in (f["options"] or "").split("\n") if o]
                value = options[0] if options else ""
            elif kind == "email":
                value = f"new{n}@example.org"
            elif kind == "number":
                value = str(n)
            elif kind == "password":
                value = "A-long-Passphrase-77"
            elif kind == "url":
                value = f"https://example.org/{n}"
            elif kind == "date":
                value = "2026-01-01"
            elif f.get("lookup"):
                app_label, model_name = (f["lookup"] or "").split("/")[2:4]
                value = str(apps.get_model(app_label, model_name).objects.order_by("pk")[0].pk)
            else:
                value = f"N{n}"[: int(f.get("maxlength") or 50)]
            if name.endswith(("slug", "_code", "code")):
                value = f"n{n}"
        if value is None:
            continue
        if kind == "select" and "multiple" in f:
            data[name] = [v for v in value.split("\n") if v]
        else:
            data.setdefault(name, []).append(value)
    return data


def _edit_a_text_field(
    data: dict[str, list[str]], fields: list[dict[str, str | None]]
) -> str | None:
    """Change the first plain text field of the main form; return its name, if there is one."""
    for f in fields:
        name = f["name"] or ""
        if (
            f["kind"] in ("text", "textarea")
            and f["value"]
            and "-" not in name
            and "readonly" not in f
            and not name.endswith(("code", "slug", "urn", "uid", "number", "ukprn"))
            and "RawIdAdminField" not in (f.get("class") or "")
        ):
            limit = int(f.get("maxlength") or 1000)
            data[name] = [f"{f['value'][: limit - 9]} (edited)"]
            return name
    return None  # everything on the page is read-only


def _errors(page: str) -> list[str]:
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S) or [page[:2000]]


def _registered() -> list[object]:
    return [
        pytest.param(model, id=model._meta.label)
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_change_permission(_superuser_request())
    ]


@pytest.mark.parametrize("model", _registered())
def test_every_admin_add_and_change_page_opens_and_records_a_change(
    client: Client, world: World, model: type
) -> None:
    opts = model._meta
    if model is Group and not Group.objects.exists():
        # The test world has every model but groups, which Accord does not use otherwise,
        Group.objects.create(name="Editors")
    elif opts.label == "account.EmailAddress":
        # and sign-in addresses, which accepting an invitation records.
        mark_email_verified(world.users["rep"])
    existing = model._default_manager.order_by("pk").first()
    assert existing is not None, f"the test world has no {opts.label}"

    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[existing.pk])
    fields = _page_form(client, change_url)
    data = _post_data(fields, fill=False)
    edited = _edit_a_text_field(data, fields)
    response = client.post(change_url, data)
    assert response.status_code == 302, _errors(response.content.decode())
    if edited:
        event = AuditEvent.objects.filter(
            action=f"{opts.model_name}.updated", target_id=str(existing.pk)
        ).last()
        assert event is not None, f"no event for a change of {opts.label}"
        before, after = event.changes[edited]
        assert before != after and after.endswith("(edited)")

    add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    if not admin.site._registry[model].has_add_permission(_superuser_request()):
        return
    fields = _page_form(client, add_url)
    data = _post_data(fields, fill=True)
    response = client.post(add_url, data)
    assert response.status_code == 302, _errors(response.content.decode())
    created = model._default_manager.order_by("pk").last()
    event = AuditEvent.objects.get(action=f"{opts.model_name}.created", target_id=str(created.pk))
    assert event.changes and all(before is None for before, _ in event.changes.values())
    assert list(verify_chain()) == []


def test_deleting_an_object_in_the_admin_records_what_went_with_it(
    client: Client, world: World
) -> None:
    user = User.objects.create_user("temp@example.org", email="temp@example.org", full_name="Temp")
    role = RoleAssignment.objects.create(user=user, role=Role.AUDITOR)
    response = client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="user.deleted").changes["email"] == [
        "temp@example.org",
        None,
    ]
    cascaded = AuditEvent.objects.get(action="roleassignment.deleted")
    assert cascaded.target_id == str(role.pk)
    assert cascaded.context == f"user:{user.pk}"
    assert cascaded.changes["role"] == ["auditor", None]
