"""Control characters and bidi overrides are refused at every form, by one mechanism."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import accord
from accord.accounts.models import User
from accord.core.forms import SafeTextMixin
from accord.core.text import clean_text, unsafe_characters
from accord.organisations.models import Region
from accord.plans.forms import ReviewForm
from tests.world import World

ACCORD = Path(accord.__file__).resolve().parent


def _accord_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(ACCORD)], prefix="accord."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        names.append(info.name)
    return names


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _accord_form_classes() -> list[type]:
    for name in _accord_modules():
        importlib.import_module(name)
    return sorted(
        (
            form
            for form in _subclasses(forms.BaseForm)
            if form.__module__.startswith("accord.") and ".tests" not in form.__module__
        ),
        key=lambda form: f"{form.__module__}.{form.__qualname__}",
    )


def test_every_form_defined_in_accord_refuses_unsafe_characters() -> None:
    classes = _accord_form_classes()
    assert len(classes) > 10  # the walk found the forms, so the check below means something
    forgot = [
        f"{f.__module__}.{f.__qualname__}" for f in classes if not issubclass(f, SafeTextMixin)
    ]
    assert forgot == []


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\u202e", "\u2066"])
def test_a_form_refuses_a_control_character_naming_the_field(character: str) -> None:
    form = ReviewForm({"held_on": "2025-01-01", "notes": f"All{character} fine"})
    assert not form.is_valid()
    [message] = form.errors["notes"]
    assert message.startswith("Notes contains characters that cannot be stored")


def test_line_breaks_and_tabs_are_kept_in_text_that_runs_over_lines() -> None:
    form = ReviewForm({"held_on": "2025-01-01", "notes": "First\r\n\tSecond"})
    assert form.is_valid(), form.errors


def test_the_cleaning_function_removes_controls_and_bidi_marks_but_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x01c\u202ed\u2069e\tf\ng\rh") == "abcde\tf\ng\rh"
    assert clean_text("a\tb\nc", multiline=False) == "abc"
    assert unsafe_characters("x\x01y\x01\u202e") == ["\x01", "\u202e"]


def test_the_admin_refuses_control_characters_naming_the_field(world: World) -> None:
    admin = User.objects.create_superuser(
        "root@example.org", "root@example.org", "pw", full_name="Root"
    )
    client = Client()
    client.force_login(admin)
    region = Region.objects.get(name="North")
    response = client.post(
        reverse("admin:organisations_region_change", args=[region.pk]), {"name": "North\u202e"}
    )
    assert response.status_code == 200
    assert "Name contains characters that cannot be stored (U+202E)" in response.content.decode()
    region.refresh_from_db()
    assert region.name == "North"
    # The user pages keep their own forms, now with the same check.
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    user = client.post(
        reverse("admin:accounts_user_change", args=[admin.pk]),
        {"email": "root@example.org", "full_name": "Ro\x01ot", "is_active": "on"},
    )
    assert "Full name contains characters that cannot be stored" in user.content.decode()
