"""The Django admin is for superusers only, and none of its pages fails: every registered
model's list, add and change page opens, and its change form posted as shown does not 500.
Models are found from the admin's registry, so a newly registered one is covered."""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import RoleAssignment, User
from accord.core.admin import ConstraintCheckedInlineFormSet
from accord.core.outbox import deliver_message
from accord.core.tests.test_admin_audit import _FormReader, _post_data
from accord.organisations.models import Association, District, Region
from accord.plans.models import Party, Plan
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


def _read(client: Client, url: str) -> list[dict[str, str | None]]:
    page = client.get(url)
    assert page.status_code == 200, url
    reader = _FormReader()
    reader.feed(page.content.decode())
    return reader.fields


def _taking(
    page: list[dict[str, str | None]], source: list[dict[str, str | None]], *, upper: bool
) -> dict[str, list[str]]:
    """`page` as shown, with its main form's fields (not its inlines') holding `source`'s
    values; with `upper`, its text in capitals, as a clash differing only in case."""
    data = _post_data(page, fill=False)
    own = {f["name"] for f in page if "-" not in (f["name"] or "")}
    for name, values in _post_data(source, fill=False).items():
        if "-" in name or name not in own or name == "csrfmiddlewaretoken":
            continue
        kind = next(f["kind"] for f in source if f["name"] == name)
        typed = upper and kind in ("text", "email", "textarea")
        data[name] = [v.upper() for v in values] if typed else values
    return data


def test_no_admin_form_fails_when_posted_empty_or_with_another_objects_values(
    world: World,
) -> None:
    # What unique fields and constraints refuse must come back as an error on the form: an
    # add form holding an existing object's values, another object changed to them, each also
    # in capitals; and an empty add form.
    client = _superuser()
    tried = 0
    logging.disable(logging.WARNING)
    try:
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            name = f"admin:{opts.app_label}_{opts.model_name}"
            request = client.get(reverse("admin:index")).wsgi_request
            first, *rest = _objects(model, world)
            if not rest:
                rest = [model._default_manager.exclude(pk=first.pk).first()]
            source = _read(client, reverse(f"{name}_change", args=[first.pk]))
            if model_admin.has_add_permission(request):
                add = reverse(f"{name}_add")
                assert client.post(add, {}).status_code < 500, add
                page = _read(client, add)
                for upper in (False, True):
                    assert client.post(add, _taking(page, source, upper=upper)).status_code < 500
                    tried += 1
            if rest[0] is not None and model_admin.has_change_permission(request, rest[0]):
                change = reverse(f"{name}_change", args=[rest[0].pk])
                page = _read(client, change)
                for upper in (False, True):
                    posted = client.post(change, _taking(page, source, upper=upper))
                    assert posted.status_code < 500, change
                    tried += 1
    finally:
        logging.disable(logging.NOTSET)
    assert tried >= len(admin.site._registry)


def test_an_address_taken_by_another_user_in_other_capitals_is_refused_on_the_form(
    world: World,
) -> None:
    client = _superuser()
    taken = world.users["rep"].email.upper()
    user = world.users["outsider"]
    change = reverse("admin:accounts_user_change", args=[user.pk])
    data = _post_data(_read(client, change), fill=False) | {"email": [taken]}
    response = client.post(change, data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    user.refresh_from_db()
    assert user.email != taken.lower()
    add = reverse("admin:accounts_user_add")
    password = "A-long-Passphrase-77"
    response = client.post(
        add, {"email": taken, "full_name": "Copy", "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact=taken).count() == 1


# A role added on a person's admin page with the wrong scope: the role, what is given, and the
# field that must say what is wrong. "party" is the plan's own party; "other_party" another's.
WRONG_SCOPES = [
    ("workplace_rep", ["union"], "employer"),
    ("workplace_rep", ["union", "employer", "region"], "region"),
    ("workplace_rep", ["union", "employer=abc"], "employer"),
    ("workplace_rep", ["union", "employer=99999999"], "employer"),
    ("local_secretary", ["association"], "union"),
    ("nem", ["union", "district", "association"], "association"),
    ("partner_rep", ["union"], "association"),
    ("partner_rep", ["union", "association", "region"], "region"),
    ("national_officer", ["union", "region"], "region"),
    ("employer_contact", [], "employer"),
    ("plan_owner", ["plan", "party"], "party"),
    ("plan_member", ["plan"], "party"),
    ("plan_member", ["party"], "plan"),
    ("plan_member", ["plan", "other_party"], "party"),
    ("auditor", ["union"], "union"),
]


@pytest.mark.parametrize(("role", "given", "wrong"), WRONG_SCOPES)
def test_a_role_added_in_the_admin_with_the_wrong_scope_is_refused_on_its_field(
    world: World, role: str, given: list[str], wrong: str
) -> None:
    plan = world.plan()
    other = Plan.objects.create(title="Another plan", created_by=world.users["officer"])
    values = {
        "union": world.unions["NASUWT"].pk,
        "employer": world.employer.pk,
        "association": world.association.pk,
        "district": District.objects.first().pk,
        "region": Region.objects.first().pk,
        "plan": plan.pk,
        "party": plan.parties.first().pk,
        "other_party": Party.objects.create(plan=other, name="Them", position=1).pk,
    }
    client = _superuser()
    user = world.users["outsider"]
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = _post_data(_read(client, url), fill=False)
    data |= {"role_assignments-TOTAL_FORMS": ["1"], "role_assignments-0-role": [role]}
    for item in given:
        name, _, value = item.partition("=")
        field = "party" if name == "other_party" else name
        data[f"role_assignments-0-{field}"] = [value or str(values[name])]
    response = client.post(url, data)
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert wrong in inline.formset.forms[0].errors, inline.formset.errors
    assert not RoleAssignment.history.filter(user=user).exists()


def test_the_admin_refuses_an_association_a_local_authority_another_one_covers(
    world: World,
) -> None:
    client = _superuser()
    url = reverse("admin:organisations_association_change", args=[world.association.pk])
    theirs = world.other_association.local_authorities.get()
    data = _post_data(_read(client, url), fill=False)
    data["local_authorities"] = [*data.get("local_authorities", []), str(theirs.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "local_authorities" in response.context["adminform"].form.errors
    assert not world.association.local_authorities.filter(pk=theirs.pk).exists()
    # Nothing chosen, or only its own, is fine; a retired association covers nobody.
    data["local_authorities"] = []
    assert client.post(url, data).status_code == 302
    Association.objects.filter(pk=world.other_association.pk).update(retired_at=timezone.now())
    data["local_authorities"] = [str(theirs.pk)]
    assert client.post(url, data).status_code == 302
    assert world.association.local_authorities.get() == theirs


def test_two_principles_swapping_numbers_in_the_admin_are_refused_on_the_form(
    world: World,
) -> None:
    # Rows are saved one by one, so the first would take a number the second still holds.
    client = _superuser()
    url = reverse("admin:schemes_scheme_change", args=[world.scheme.pk])
    data = _post_data(_read(client, url), fill=False)
    first, second = data["principles-0-number"], data["principles-1-number"]
    data["principles-0-number"], data["principles-1-number"] = second, first
    response = client.post(url, data)
    assert response.status_code == 200
    (principles, _materials) = response.context["inline_admin_formsets"]
    assert principles.formset.forms[0].non_field_errors()
    numbers = world.scheme.principles.order_by("pk").values_list("number", flat=True)
    assert [str(n) for n in numbers[:2]] == [*first, *second]


def test_every_admin_inline_checks_its_rows_against_the_databases_constraints() -> None:
    request = RequestFactory().get("/admin/")
    request.user = User(is_active=True, is_staff=True, is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            assert issubclass(formset, ConstraintCheckedInlineFormSet), (model, inline)


def test_a_number_no_key_can_hold_among_chosen_objects_is_refused_on_the_form(
    world: World,
) -> None:
    client = _superuser()
    url = reverse("admin:organisations_association_change", args=[world.association.pk])
    data = _post_data(_read(client, url), fill=False)
    data["local_authorities"] = ["99999999999999999999"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "local_authorities" in response.context["adminform"].form.errors


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
