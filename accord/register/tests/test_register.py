"""The public register, verification pages and open data."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from accord.core.models import AuditEvent
from accord.enrolments.process import State
from accord.membership import services
from accord.membership.models import Membership, MembershipStatus
from accord.register import entries
from tests.world import PASSWORD, World

TODAY = datetime.date.today()


@pytest.fixture
def member(world: World) -> Membership:
    world.enrolment(State.LISTED)
    return Membership.objects.get()


def _content(response) -> str:  # type: ignore[no-untyped-def]
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_listing_puts_the_employer_on_the_register_with_a_verification_page(
    member: Membership,
) -> None:
    assert member.status == MembershipStatus.ACTIVE
    assert member.reference.startswith("VWS-") and len(member.reference) == 10
    page = Client().get(reverse("register")).content.decode()
    assert "Northtown High School" in page and member.get_absolute_url() in page
    verification = Client().get(member.get_absolute_url())
    assert "is a member of the Valued Worker Scheme" in verification.content.decode()
    assert "<svg" in verification.content.decode()  # the QR code


def test_a_suspension_changes_the_register_and_verification_page_at_once(
    world: World, member: Membership
) -> None:
    services.change_status(
        member,
        "suspend",
        actor=world.users["officer"],
        reason="Detriment found in a policy check",
        logo_stop_requested_on=TODAY,
    )
    verdict = Client().get(member.get_absolute_url()).content.decode()
    assert "membership of the Valued Worker Scheme is suspended" in verdict
    assert "Detriment" not in verdict  # reasons are internal
    register = Client().get(reverse("register")).content.decode()
    assert "Suspended" in register
    assert Client().get(reverse("logo-pack", args=[member.reference])).status_code == 410


def test_a_withdrawal_removes_the_employer_from_the_register(
    world: World, member: Membership
) -> None:
    services.change_status(
        member,
        "withdraw",
        actor=world.users["officer"],
        reason="Asked to leave",
        logo_stop_requested_on=TODAY,
    )
    assert "Northtown High School" not in Client().get(reverse("register")).content.decode()
    verdict = Client().get(member.get_absolute_url()).content.decode()
    assert (
        f"is no longer a member of the Valued Worker Scheme</strong> since {TODAY:%-d %B %Y}"
        in verdict
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="membership.").values_list("action", flat=True)
    )
    assert actions == ["membership.withdraw"]


def test_status_changes_need_reasons_a_logo_date_and_a_national_officer(
    world: World, member: Membership
) -> None:
    with pytest.raises(services.MembershipError) as error:
        services.change_status(
            member,
            "suspend",
            actor=world.users["officer"],
            reason=" ",
            logo_stop_requested_on=TODAY,
        )
    assert error.value.field == "reason"
    with pytest.raises(services.MembershipError) as error:
        services.change_status(member, "suspend", actor=world.users["officer"], reason="x")
    assert error.value.field == "logo_stop_requested_on"
    for persona in ("secretary", "nem", "auditor", "other_officer", "employer"):
        with pytest.raises(services.MembershipError, match="national officer"):
            services.change_status(
                member,
                "suspend",
                actor=world.users[persona],
                reason="x",
                logo_stop_requested_on=TODAY,
            )
    with pytest.raises(services.MembershipError, match="cannot be reinstated"):
        services.change_status(member, "reinstate", actor=world.users["officer"], reason="x")


def test_only_national_officers_open_the_status_pages(world: World, member: Membership) -> None:
    url = reverse("membership-status", args=[member.pk, "suspend"])
    for persona in ("secretary", "nem", "gmb", "employer", "auditor", "other_officer"):
        client = Client()
        client.login(username=f"{persona}@example.org", password=PASSWORD)
        assert client.get(url).status_code == 403, persona
    client = Client()
    client.login(username="officer@example.org", password=PASSWORD)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "", "logo_stop_requested_on": "soon"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reason", "logo_stop_requested_on"}
    assert Membership.objects.get().status == MembershipStatus.ACTIVE
    response = client.post(url, {"reason": "Detriment", "logo_stop_requested_on": TODAY})
    assert response.status_code == 302
    assert Membership.objects.get().status == MembershipStatus.SUSPENDED
    page = client.get(member.enrolment.get_absolute_url()).content.decode()
    assert "suspended the membership" in page and "Reinstate the membership" in page


def test_the_register_searches_and_filters(world: World, member: Membership) -> None:
    la = world.employer.local_authority
    client = Client()

    def count(params: dict) -> int:
        return client.get(reverse("register"), params).context["count"]

    assert count({"q": "northtown"}) == 1
    assert count({"q": "NORTHT high"}) == 1  # each word a prefix of a word in the name
    assert count({"q": "town"}) == 0  # inside a word: not a match
    assert count({"q": "nowhere"}) == 0
    assert count({"kind": "college"}) == 0
    assert count({"la": la.pk}) == 1
    assert count({"region": la.region_id}) == 1


def test_open_data_downloads_stream_the_register_without_personal_data(
    world: World, member: Membership
) -> None:
    response = Client().get(reverse("register-csv"))
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(_content(response))))
    assert [r["employer"] for r in rows] == ["Northtown High School"]
    assert rows[0]["verification_url"].endswith(member.get_absolute_url())
    data = json.loads(_content(Client().get(reverse("register-json"))))
    assert data["members"][0]["reference"] == member.reference
    everything = _content(Client().get(reverse("register-csv"))) + json.dumps(data)
    assert "@" not in everything
    assert "Secretary" not in everything


def test_open_data_dates_are_iso_8601_in_csv_and_json(world: World, member: Membership) -> None:
    Membership.objects.update(
        member_since=datetime.date(2024, 9, 2), status_since=datetime.date(2025, 1, 6)
    )
    entries.refresh([member.pk])
    [row] = csv.DictReader(io.StringIO(_content(Client().get(reverse("register-csv")))))
    assert (row["member_since"], row["status_since"]) == ("2024-09-02", "2025-01-06")
    [data] = json.loads(_content(Client().get(reverse("register-json"))))["members"]
    assert (data["member_since"], data["status_since"]) == ("2024-09-02", "2025-01-06")


def test_the_logo_pack_holds_the_logo_qr_code_and_verification_address(
    member: Membership,
) -> None:
    response = Client().get(reverse("logo-pack", args=[member.reference]))
    assert response["Content-Type"] == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"README.txt", "logo-guide.pdf", "logo.svg", "verification-qr.svg"} <= set(
        pack.namelist()
    )
    assert member.get_absolute_url() in pack.read("README.txt").decode()
    assert member.reference in pack.read("logo.svg").decode()


def test_an_unknown_reference_is_not_found(db: None) -> None:
    assert Client().get(reverse("verification", args=["VWS-NOPE00"])).status_code == 404


def test_no_public_page_shows_personal_data(world: World, member: Membership) -> None:
    pages = [reverse("register"), member.get_absolute_url(), reverse("home"), reverse("process")]
    for url in pages:
        html = Client().get(url).content.decode()
        assert "@" not in html, url
        assert "Proposed by" not in html and "Secretary" not in html, url


def test_an_empty_submission_is_answered_with_field_errors(
    world: World, member: Membership
) -> None:
    client = Client()
    client.login(username="officer@example.org", password=PASSWORD)
    response = client.post(reverse("membership-status", args=[member.pk, "suspend"]), {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reason", "logo_stop_requested_on"}
    assert Membership.objects.get().status == MembershipStatus.ACTIVE


def test_the_open_data_csv_quotes_a_name_that_would_start_a_formula(
    world: World, member: Membership
) -> None:
    world.employer.name = '=HYPERLINK("http://evil.example/","Click")'
    world.employer.save()
    rows = list(csv.DictReader(io.StringIO(_content(Client().get(reverse("register-csv"))))))
    assert rows[0]["employer"] == '\'=HYPERLINK("http://evil.example/","Click")'
