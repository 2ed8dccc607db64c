"""An employer asks to join from the home page: the request is recorded and audited, reaches
the local secretary of its area (else the national officers) on their start page and by
e-mail, is acknowledged to the requester, and becomes a proposal or is closed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.core.models import AuditEvent
from accord.enrolments import join_requests
from accord.enrolments.models import Enrolment, Initiator, JoinRequest, JoinRequestStatus
from accord.enrolments.process import State
from accord.organisations.models import Employer, EmployerKind, LocalAuthority
from tests.world import PASSWORD, World


def _client(persona: str | None) -> Client:
    client = Client()
    if persona:
        assert client.login(username=f"{persona}@example.org", password=PASSWORD)
    return client


def _form(world: World, **changes: object) -> dict[str, object]:
    data = {
        "scheme": world.scheme.pk,
        "employer_name": "Northtown Sixth Form College",
        "kind": EmployerKind.COLLEGE,
        "local_authority": world.employer.local_authority.pk,
        "urn": "",
        "contact_name": "Pat Principal",
        "job_title": "Principal",
        "email": "pat@sixth-form.example",
        "phone": "",
        "message": "Our staff asked us to look at the scheme.",
        "website": "",
    }
    data.update(changes)
    return data


def _send(world: World, **changes: object):  # type: ignore[no-untyped-def]
    return Client().post(reverse("join-request-new"), _form(world, **changes))


def _tasks(persona: str) -> str:
    return _client(persona).get(reverse("tasks")).content.decode()


def test_the_home_page_leads_an_employer_to_the_form_which_anyone_may_open(world: World) -> None:
    home = Client().get(reverse("home")).content.decode()
    assert reverse("join-request-new") in home
    page = Client().get(reverse("join-request-new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What we keep and why" in html
    for name in ("employer_name", "kind", "local_authority", "urn", "contact_name", "job_title"):
        assert f'name="{name}"' in html
    assert 'name="email"' in html and 'name="phone"' in html and 'name="message"' in html


def test_a_request_reaches_the_secretary_of_its_area_only_and_is_acknowledged(
    world: World, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    response = _send(world)
    assert response.status_code == 302 and response["Location"] == reverse("join-request-sent")
    request = JoinRequest.objects.get()
    assert request.association == world.association
    assert request.status == JoinRequestStatus.OPEN
    event = AuditEvent.objects.get(action="join_request.submit")
    assert event.changes["employer_name"] == [None, "Northtown Sixth Form College"]
    assert "Northtown Sixth Form College" in _tasks("secretary")
    for persona in ("other_secretary", "rep", "nem", "employer", "officer"):
        assert "Northtown Sixth Form College" not in _tasks(persona), persona
    deliver_outbox()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"secretary@example.org", "pat@sixth-form.example"}
    assert request.get_absolute_url() in by_address["secretary@example.org"].body
    assert "Thank you" in by_address["pat@sixth-form.example"].body


def test_with_no_association_for_the_area_the_request_goes_to_the_national_officers(
    world: World, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    nowhere = LocalAuthority.objects.create(
        code="999", name="Nowhere", region=world.association.region
    )
    _send(world, local_authority=nowhere.pk, employer_name="Lost College")
    assert JoinRequest.objects.get().association is None
    officer = _client("officer").get(reverse("tasks"))
    assert [r.employer_name for r in officer.context["start"].officer.join_requests] == [
        "Lost College"
    ]
    assert 'data-testid="unattended-join-requests"' in officer.content.decode()
    assert "Lost College" not in _tasks("other_officer")  # another union's officer
    assert "Lost College" not in _tasks("secretary")
    deliver_outbox()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer@example.org",
        "pat@sixth-form.example",
    ]


def test_an_association_nobody_holds_leaves_the_request_to_the_national_officers(
    world: World,
) -> None:
    # Northtown's only secretary has left: nobody holds the association.
    User.objects.filter(pk=world.users["secretary"].pk).update(is_active=False)
    _send(world)
    assert JoinRequest.objects.get().association == world.association
    assert "Northtown Sixth Form College" in _tasks("officer")


def test_a_urn_finds_the_employer_and_its_association(world: World) -> None:
    # Sent under the wrong area, the URN still finds the Northtown school and its secretary.
    southtown = world.other_employer.local_authority
    _send(world, local_authority=southtown.pk, urn=world.employer.urn)
    request = JoinRequest.objects.get()
    assert request.employer == world.employer
    assert request.association == world.association


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"employer_name": ""}, "employer_name"),
        ({"local_authority": ""}, "local_authority"),
        ({"local_authority": "999999"}, "local_authority"),
        ({"kind": "castle"}, "kind"),
        ({"urn": "ABC"}, "urn"),
        ({"message": ""}, "message"),
        ({"contact_name": "Pat\x00"}, "contact_name"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_records_nothing(
    world: World, changes: dict[str, object], field: str
) -> None:
    response = _send(world, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'href="#id_{field}"' in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_a_robot_filling_the_trap_is_thanked_but_nothing_is_recorded_or_sent(
    world: World, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    response = _send(world, website="https://spam.example")
    assert response.status_code == 302 and response["Location"] == reverse("join-request-sent")
    assert not JoinRequest.objects.exists()
    deliver_outbox()
    assert mail.outbox == []


# Who may open a request, and who may act on it: written from the brief. A request holds a
# person's details, so to anyone else it does not exist (404). None: the sign-in page.
WHO_MAY = {
    # persona: (open the request, close it, turn it into a proposal)
    "secretary": (200, 200, 200),
    "officer": (200, 200, 403),
    "auditor": (200, 403, 403),
    "other_secretary": (404, 404, 404),
    "other_officer": (404, 404, 404),
    "rep": (404, 404, 404),
    "nem": (404, 404, 404),
    "unison": (404, 404, 404),
    "employer": (404, 404, 404),
    "outsider": (404, 404, 404),
    None: (302, 302, 302),
}


@pytest.mark.parametrize("persona", list(WHO_MAY))
def test_only_the_area_secretary_and_the_officers_handle_a_request(
    world: World, persona: str | None
) -> None:
    _send(world)
    request = JoinRequest.objects.get()
    client = _client(persona)
    urls = [
        request.get_absolute_url(),
        reverse("join-request-close", args=[request.pk]),
        reverse("join-request-propose", args=[request.pk]),
    ]
    assert tuple(client.get(url).status_code for url in urls) == WHO_MAY[persona]


def test_the_secretary_turns_a_request_into_a_proposal_initiated_by_the_employer(
    world: World,
) -> None:
    _send(world)
    request = JoinRequest.objects.get()
    url = reverse("join-request-propose", args=[request.pk])
    client = _client("secretary")
    page = client.get(url)
    assert page.context["form"]["reason"].value() == "Our staff asked us to look at the scheme."
    response = client.post(url, {"employer": "new", "reason": "A good employer."})
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302 and response["Location"] == enrolment.get_absolute_url()
    assert enrolment.initiated_by == Initiator.EMPLOYER
    assert enrolment.state == State.PROPOSED
    assert enrolment.employer.name == "Northtown Sixth Form College"
    assert enrolment.employer.association == world.association
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.PROPOSED and request.enrolment == enrolment
    assert AuditEvent.objects.filter(action="join_request.propose").count() == 1
    # Handled: it leaves the start page and cannot be handled again.
    assert "Northtown Sixth Form College" not in _tasks("secretary").split("Employers asking")[1]
    assert client.get(url).status_code == 403
    with pytest.raises(join_requests.JoinRequestError):
        join_requests.close(request, actor=world.users["secretary"], reason="Twice")


def test_a_request_naming_a_known_employer_proposes_that_employer(world: World) -> None:
    _send(world, urn=world.employer.urn)
    request = JoinRequest.objects.get()
    client = _client("secretary")
    url = reverse("join-request-propose", args=[request.pk])
    assert list(client.get(url).context["form"].candidates.values()) == [world.employer]
    client.post(url, {"employer": str(world.employer.pk), "reason": "Asked us."})
    assert Enrolment.objects.get().employer == world.employer
    assert Employer.objects.filter(name="Northtown Sixth Form College").count() == 0


def test_adding_again_an_employer_whose_urn_is_known_is_refused_on_the_field(
    world: World,
) -> None:
    _send(world, urn=world.employer.urn)
    url = reverse("join-request-propose", args=[JoinRequest.objects.get().pk])
    response = _client("secretary").post(url, {"employer": "new", "reason": "Asked us."})
    assert response.status_code == 400
    assert "choose it rather than adding" in response.context["form"].errors["employer"][0]
    assert not Enrolment.objects.exists()
    assert Employer.objects.filter(urn=world.employer.urn).count() == 1


def test_a_request_is_closed_with_a_reason(world: World) -> None:
    _send(world)
    request = JoinRequest.objects.get()
    url = reverse("join-request-close", args=[request.pk])
    refused = _client("secretary").post(url, {"reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    _client("secretary").post(url, {"reason": "A duplicate of an earlier request."})
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.CLOSED
    assert request.closed_reason == "A duplicate of an earlier request."
    event = AuditEvent.objects.get(action="join_request.close")
    assert event.changes["status"] == ["open", "closed"]
