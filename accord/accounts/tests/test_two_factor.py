"""Two-factor sign-in: who must set it up, signing in with a code or a recovery code, and an
officer's reset for someone who lost their phone."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment, User
from accord.core.models import AuditEvent
from tests.world import PASSWORD, World

pytestmark = [pytest.mark.django_db, pytest.mark.mfa_required]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SET_UP = "/accounts/2fa/totp/activate/"

# Written from the issue: every union role and auditors must use two-factor sign-in; employer
# contacts and action-plan people may.
MUST_USE = {
    Role.WORKPLACE_REP: True,
    Role.LOCAL_SECRETARY: True,
    Role.NEM: True,
    Role.PARTNER_REP: True,
    Role.NATIONAL_OFFICER: True,
    Role.AUDITOR: True,
    Role.EMPLOYER_CONTACT: False,
    Role.PLAN_OWNER: False,
    Role.PLAN_MEMBER: False,
}


def _code(secret: str = SECRET, *, step: int = 0) -> str:
    counter = int(timezone.now().timestamp()) // 30 + step
    return format_hotp_value(hotp_value(secret, counter))


def _with_app(user: User) -> list[str]:
    """Give `user` an authenticator app on SECRET and recovery codes; return the codes."""
    TOTP.activate(user, SECRET)
    return RecoveryCodes.activate(user).get_unused_codes()


def _password_step(client: Client, email: str) -> str:
    response = client.post(reverse("login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def _signed_in(client: Client) -> bool:
    return client.get(reverse("tasks")).status_code == 200


@pytest.fixture
def holders(world: World) -> dict[str, User]:
    """One person holding each role, and nothing else."""
    plan = world.plan()
    party = plan.parties.first()
    nasuwt = world.unions["NASUWT"]
    scopes = {
        Role.WORKPLACE_REP: {"union": nasuwt, "employer": world.employer},
        Role.LOCAL_SECRETARY: {"union": nasuwt, "association": world.association},
        Role.NEM: {"union": nasuwt, "district": world.association.district},
        Role.PARTNER_REP: {"union": world.unions["GMB"], "association": world.association},
        Role.NATIONAL_OFFICER: {"union": nasuwt},
        Role.AUDITOR: {},
        Role.EMPLOYER_CONTACT: {"employer": world.employer},
        Role.PLAN_OWNER: {"plan": plan},
        Role.PLAN_MEMBER: {"plan": plan, "party": party},
    }
    found = {}
    for role, scope in scopes.items():
        user = User.objects.create_user(
            f"holder-{role}@example.org", password=PASSWORD, full_name=f"Holder {role}"
        )
        RoleAssignment.objects.create(user=user, role=role, **scope)
        found[role] = user
    return found


def test_the_table_covers_every_role() -> None:
    assert set(MUST_USE) == set(Role.values)


@pytest.mark.parametrize("role", list(MUST_USE))
def test_each_role_is_sent_to_set_up_two_factor_sign_in_or_not(
    holders: dict[str, User], role: str
) -> None:
    client = Client()
    _password_step(client, holders[role].email)
    response = client.get(reverse("tasks"))
    if MUST_USE[role]:
        assert response.status_code == 302 and response["Location"] == SET_UP
    else:
        assert response.status_code == 200
    # Whoever may choose to can open the set-up page.
    assert client.get(SET_UP).status_code == 200


def test_staff_and_superusers_must_set_it_up(db: None) -> None:
    staff = User.objects.create_user("staff@example.org", password=PASSWORD, is_staff=True)
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    for user in (staff, root):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/")["Location"] == SET_UP


def test_a_union_role_given_during_a_session_applies_at_once(world: World) -> None:
    contact = world.users["employer"]
    client = Client()
    client.force_login(contact)
    assert client.get(reverse("tasks")).status_code == 200
    RoleAssignment.objects.create(
        user=contact, role=Role.WORKPLACE_REP, union=world.unions["NASUWT"], employer=world.employer
    )
    response = client.get(reverse("tasks"))
    assert response.status_code == 302 and response["Location"] == SET_UP


def test_until_set_up_only_the_set_up_page_and_signing_out_open(world: World) -> None:
    client = Client()
    client.force_login(world.users["officer"])
    for path in (
        "/tasks/",
        "/people/",
        world.users["rep"].get_absolute_url(),
        "/accounts/security/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == SET_UP, path
    assert client.get(SET_UP).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert not _signed_in(client)


def test_setting_up_shows_the_recovery_codes_once_then_opens_every_page(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client = Client()
    _password_step(client, "secretary@example.org")
    page = client.get(SET_UP).content.decode()
    assert '<img class="qr-code" src="data:image/svg+xml;base64,' in page
    [secret] = re.findall(r'data-testid="totp-secret">([A-Z2-7]+)<', page)

    wrong = client.post(SET_UP, {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "The code is not correct" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=world.users["secretary"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(SET_UP, {"code": _code(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("mfa_view_recovery_codes")
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", shown)
    assert len(codes) == 10
    again = client.get(done["Location"]).content.decode()
    assert not any(code in again for code in codes)
    assert _signed_in(client)
    # On the audit trail, without the secret.
    event = AuditEvent.objects.get(
        action="user.authenticator_added", summary__contains="authenticator app"
    )
    assert event.actor == world.users["secretary"] and secret not in str(event.changes)


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_one(world: World) -> None:
    _with_app(world.users["nem"])
    client = Client()
    assert _password_step(client, "nem@example.org") == reverse("mfa_authenticate")
    assert not _signed_in(client)
    right = _code()
    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if right != "000000" else "1"}
    )
    assert wrong.status_code == 200
    assert "The code is not correct" in wrong.content.decode()
    assert not _signed_in(client)


def test_sign_in_with_the_right_code_reaches_the_tasks(world: World) -> None:
    _with_app(world.users["nem"])
    client = Client()
    _password_step(client, "nem@example.org")
    response = client.post(reverse("mfa_authenticate"), {"code": _code()})
    assert response.status_code == 302 and response["Location"] == reverse("tasks")
    assert _signed_in(client)


def test_a_recovery_code_signs_in_once(world: World) -> None:
    codes = _with_app(world.users["gmb"])
    first = Client()
    _password_step(first, "gmb@example.org")
    assert first.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert _signed_in(first)

    second = Client()
    _password_step(second, "gmb@example.org")
    used = second.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert used.status_code == 200 and not _signed_in(second)
    assert second.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    assert _signed_in(second)


def test_wrong_codes_are_limited_like_passwords(world: World) -> None:
    _with_app(world.users["nem"])
    client = Client()
    _password_step(client, "nem@example.org")
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    refused = client.post(reverse("mfa_authenticate"), {"code": right})
    assert refused.status_code == 200 and not _signed_in(client)


def test_recovery_codes_can_be_made_anew(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    old = _with_app(world.users["rep"])
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _password_step(client, "rep@example.org")
        client.post(reverse("mfa_authenticate"), {"code": _code()})
        clock.move_to(start + datetime.timedelta(minutes=6))
        with django_capture_on_commit_callbacks(execute=True):
            new = _new_codes(client)
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="user.authenticator_reset").count() == 1


def _new_codes(client: Client) -> list[str]:
    # Some minutes after signing in, it asks for the password again first.
    asked = client.post(reverse("mfa_generate_recovery_codes"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    shown = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    return re.findall(r"<li><code>(\w+)</code></li>", shown)


def test_who_must_use_it_cannot_turn_it_off_but_others_can(world: World) -> None:
    for key, may in (("rep", False), ("employer", True)):
        _with_app(world.users[key])
        client = Client()
        client.force_login(world.users[key])
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        client.post(reverse("mfa_deactivate_totp"))
        still = Authenticator.objects.filter(
            user=world.users[key], type=Authenticator.Type.TOTP
        ).exists()
        assert still is not may, key


# --- an officer's reset --------------------------------------------------------------------


def _reset(actor: User, person: User) -> int:
    client = Client()
    client.force_login(actor)
    return client.post(
        reverse("person-mfa-reset", args=[person.pk]), {"reason": "Lost phone"}
    ).status_code


@pytest.mark.parametrize(
    ("actor", "may"),
    [
        ("officer", True),  # the rep's own union's national officer
        ("other_officer", False),  # another union's officer
        ("secretary", False),  # manages reps' roles, not their sign-in
        ("auditor", False),
    ],
)
def test_only_a_national_officer_in_scope_resets_it(world: World, actor: str, may: bool) -> None:
    rep = world.users["rep"]
    _with_app(rep)
    _with_app(world.users[actor])
    status = _reset(world.users[actor], rep)
    assert (status == 302) is may, status
    assert Authenticator.objects.filter(user=rep).exists() is not may
    if not may:
        assert status == 403


def test_nobody_resets_their_own(world: World) -> None:
    officer = world.users["officer"]
    _with_app(officer)
    assert _reset(officer, officer) == 403
    assert Authenticator.objects.filter(user=officer).exists()


def test_a_superuser_resets_anyones(world: World) -> None:
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    _with_app(root)
    _with_app(world.users["officer"])
    assert _reset(root, world.users["officer"]) == 302
    assert not Authenticator.objects.filter(user=world.users["officer"]).exists()


def test_the_reset_is_audited_and_ends_the_persons_sessions(world: World) -> None:
    rep = world.users["rep"]
    _with_app(rep)
    _with_app(world.users["officer"])
    elsewhere = Client()
    _password_step(elsewhere, "rep@example.org")
    elsewhere.post(reverse("mfa_authenticate"), {"code": _code()})
    assert _signed_in(elsewhere)

    assert _reset(world.users["officer"], rep) == 302

    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert event.actor == world.users["officer"] and event.note == "Lost phone"
    assert event.changes["authenticators"] == [["recovery_codes", "totp"], []]
    assert not _signed_in(elsewhere)
    # At the next sign-in: the password alone, then a new app before anything else.
    again = Client()
    assert _password_step(again, "rep@example.org") == reverse("tasks")
    assert again.get(reverse("tasks"))["Location"] == SET_UP


def test_the_person_page_offers_the_reset_to_those_who_may(world: World) -> None:
    rep = world.users["rep"]
    link = reverse("person-mfa-reset", args=[rep.pk])
    for key, shown in (("officer", True), ("secretary", False)):
        _with_app(world.users[key])
        client = Client()
        client.force_login(world.users[key])
        assert (link in client.get(rep.get_absolute_url()).content.decode()) is shown, key
