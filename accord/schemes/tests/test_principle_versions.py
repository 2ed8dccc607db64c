"""Principles: adding, retitling and rewording (a new version each time, never an edit of an
old one), the built-in 2024 wording as version 2, what cycles and public pages show."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership.models import SelfAssessment
from accord.schemes import services
from accord.schemes.loader import load_builtin_scheme
from accord.schemes.models import PrincipleVersion
from tests.world import PASSWORD, World

V1 = "providing good pay and conditions which include a commitment to the living wage;*"


def _client(person: str) -> Client:
    client = Client()
    assert client.login(username=f"{person}@example.org", password=PASSWORD)
    return client


def test_the_built_in_data_ships_the_2024_wording_of_principle_4_as_version_2(
    world: World,
) -> None:
    principle = world.scheme.principles.get(number=4)
    first, second = principle.versions.order_by("version")
    assert (first.version, first.wording) == (1, V1)
    assert second.version == 2
    assert "outsourced services" in second.wording and "contractors" in second.wording
    assert "living wage" in second.wording
    assert second.footnote == first.footnote
    # The other principles keep their first wording.
    others = PrincipleVersion.objects.filter(principle__scheme=world.scheme).exclude(
        principle=principle
    )
    assert set(others.values_list("version", flat=True)) == {1}


def test_an_existing_database_gets_version_2_on_the_next_setup_and_its_cycles_keep_version_1(
    world: World,
) -> None:
    # A database set up before the relaunch wording shipped: principle 4 at version 1 only.
    principle = world.scheme.principles.get(number=4)
    principle.versions.filter(version=2).delete()
    enrolment = world.enrolment(State.LISTED)
    assessed = SelfAssessment.objects.get(
        cycle__enrolment=enrolment, principle_version__principle=principle
    )
    assert assessed.principle_version.version == 1
    audited = AuditEvent.objects.filter(action="principle.reword").count()

    call_command("load_builtin_schemes", stdout=None)
    call_command("load_builtin_schemes", stdout=None)  # twice: still no version 3

    assert list(principle.versions.values_list("version", flat=True)) == [1, 2]
    assessed.refresh_from_db()
    assert assessed.principle_version.version == 1
    assert AuditEvent.objects.filter(action="principle.reword").count() == audited + 1
    assert world.scheme.current_principles()[3].version == 2


def test_the_built_in_versions_leave_a_principle_officers_reworded_as_they_made_it(
    world: World,
) -> None:
    principle = world.scheme.principles.get(number=4)
    principle.versions.filter(version=2).delete()
    services.edit_principle(
        principle,
        actor=world.users["officer"],
        short_title=principle.short_title,
        wording="our own wording",
    )
    load_builtin_scheme("vws")
    assert [v.wording for v in principle.versions.order_by("version")][1:] == ["our own wording"]


def test_a_rewording_on_the_page_makes_a_new_version_and_audits_it(world: World) -> None:
    response = _client("officer").post(
        "/schemes/vws/principles/2/edit/",
        {
            "short_title": "Wellbeing",
            "wording": "ensuring the wellbeing, safety and dignity at work of all employees;",
            "footnote": "",
            "reason": "Agreed at conference",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/schemes/vws/principles/2/"
    principle = world.scheme.principles.get(number=2)
    assert principle.short_title == "Wellbeing"
    old, new = principle.versions.order_by("version")
    assert old.wording == "ensuring the wellbeing and dignity at work of all employees;"
    assert (new.version, new.reason) == (2, "Agreed at conference")
    reword = AuditEvent.objects.get(action="principle.reword", actor=world.users["officer"])
    assert reword.changes["wording"] == [old.wording, new.wording]
    assert reword.changes["version"] == [1, 2]
    retitle = AuditEvent.objects.get(action="principle.retitle")
    assert retitle.changes == {"short_title": ["Wellbeing and dignity", "Wellbeing"]}


def test_a_new_title_alone_makes_no_new_version(world: World) -> None:
    principle = world.scheme.principles.get(number=3)
    current = principle.versions.get()
    services.edit_principle(
        principle,
        actor=world.users["officer"],
        short_title="Professional development",
        wording=current.wording,
        footnote=current.footnote,
    )
    assert principle.versions.count() == 1


def test_saving_a_principle_unchanged_is_refused_on_the_wording(world: World) -> None:
    principle = world.scheme.principles.get(number=3)
    current = principle.versions.get()
    with pytest.raises(DomainError) as refused:
        services.edit_principle(
            principle,
            actor=world.users["officer"],
            short_title=principle.short_title,
            wording=current.wording,
            footnote=current.footnote,
        )
    assert refused.value.field == "wording"


def test_a_principle_is_added_after_the_last_with_its_first_version(world: World) -> None:
    response = _client("officer").post(
        "/schemes/vws/principles/new/",
        {
            "short_title": "Equality",
            "wording": "promoting equality for all employees.",
            "footnote": "",
        },
    )
    assert response.status_code == 302
    principle = world.scheme.principles.get(number=7)
    assert principle.versions.get().wording == "promoting equality for all employees."
    event = AuditEvent.objects.get(action="principle.add")
    assert event.changes["short_title"] == [None, "Equality"]


def test_a_cycle_agreed_under_version_1_still_shows_version_1_after_a_rewording(
    world: World,
) -> None:
    enrolment = world.enrolment(State.LISTED)  # its first cycle works on principle 5
    cycle = enrolment.cycles.get()
    agreed = cycle.principle_version
    assert agreed.version == 1
    new = "having formal agreed mechanisms for consultation and negotiation with every union;"
    _client("officer").post(
        "/schemes/vws/principles/5/edit/",
        {"short_title": "Consultation and negotiation", "wording": new, "footnote": ""},
    )
    cycle.refresh_from_db()
    assert cycle.principle_version_id == agreed.pk
    enrolment_page = _client("secretary").get(f"/enrolments/{enrolment.pk}/").content.decode()
    assert agreed.wording in enrolment_page and new not in enrolment_page
    # The public home page shows the wording in force.
    home = Client().get("/").content.decode()
    assert new in home and agreed.wording not in home
    assert "for workers employed by contractors or outsourced services" in home


def test_the_versions_page_shows_every_version_with_the_changes_marked_in_words(
    world: World,
) -> None:
    html = _client("auditor").get("/schemes/vws/principles/4/").content.decode()
    assert "Version 1" in html and "Version 2" in html
    assert 'living wage<del><span class="visually-hidden">[removed: </span>;*<span' in html
    assert '<ins><span class="visually-hidden">[added: </span>,* for all employees' in html
    assert html.count("<h1") == 1
