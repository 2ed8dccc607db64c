"""A person's API tokens, from their own pages: the secret is shown once and kept only as a
digest; a revoked or expired token, or one whose owner was deactivated or erased, stops at
once; rotating gives a new working secret and stops the old; each change and the day's first
use are audited; a read-only token changes nothing; someone who must use two-factor sign-in
enters a recent code before making one; nobody touches another person's tokens."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts import erasure
from accord.accounts import services as account_services
from accord.accounts.models import User
from accord.api.models import ApiToken
from accord.core.models import AuditEvent
from tests.world import World

from .client import ApiClient

pytestmark = pytest.mark.django_db

TOKENS = "/accounts/tokens/"
NEW = "/accounts/tokens/new/"
MADE = "/accounts/tokens/made/"
SECRET_RE = re.compile(r'value="(acc_[A-Za-z0-9_-]+)"')
APP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _make(client: Client, name: str = "Membership database", **extra: str) -> str:
    """Make a token on the page; the secret the next page shows."""
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(NEW, {"name": name, "expires_on": expires, **extra})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == MADE
    shown = client.get(MADE)
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "private, no-store"
    (secret,) = SECRET_RE.findall(shown.content.decode())
    return secret


def _status(secret: str, path: str = "schemes/") -> int:
    return ApiClient().get(path, **{"Authorization": f"Bearer {secret}"}).status_code


def test_the_secret_is_shown_once_and_kept_only_as_a_digest(world: World) -> None:
    officer = world.users["officer"]
    client = _signed_in(officer)
    assert 'href="/accounts/tokens/"' in client.get("/accounts/security/").content.decode()
    secret = _make(client)
    token = ApiToken.objects.get(user=officer)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert not any(secret in str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    # Not shown again, and gone from the session.
    assert client.get(MADE)["Location"] == TOKENS
    assert secret not in str(dict(client.session))
    listed = client.get(TOKENS).content.decode()
    assert "Membership database" in listed and token.prefix in listed and secret not in listed
    assert _status(secret) == 200


def test_the_form_refuses_a_past_day_and_more_than_a_year(world: World) -> None:
    client = _signed_in(world.users["employer"])
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=366)):
        response = client.post(NEW, {"name": "X", "expires_on": day.isoformat()})
        assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoked_expired_deactivated_and_erased_tokens_stop_at_once(world: World) -> None:
    officer = world.users["officer"]
    client = _signed_in(officer)
    revoked, expired = _make(client, "One"), _make(client, "Two")
    client.post(f"{TOKENS}{ApiToken.objects.get(name='One').pk}/revoke/")
    assert _status(revoked) == 401
    ApiToken.objects.filter(name="Two").update(expires_at=timezone.now())
    assert _status(expired) == 401
    assert "Revoked" in client.get(TOKENS).content.decode()

    rep = world.users["rep"]
    rep_secret = _make(_signed_in(rep), "Rep's")
    assert _status(rep_secret, "register/") == 200
    account_services.deactivate(rep, actor=officer, reason="Left")
    assert _status(rep_secret, "register/") == 401
    # Revoked, not only refused: made active again, the person has no token back.
    assert ApiToken.objects.get(user=rep).revoked_at is not None
    account_services.reactivate(rep, actor=officer, reason="Back")
    assert _status(rep_secret, "register/") == 401

    secretary = world.users["secretary"]
    secret = _make(_signed_in(secretary), "Secretary's")
    erasure.erase_person(person=secretary, actor=officer, reason="Asked to be erased")
    assert _status(secret, "register/") == 401
    assert ApiToken.objects.get(user=secretary).revoked_at is not None


def test_rotating_gives_a_new_secret_and_stops_the_old_one(world: World) -> None:
    client = _signed_in(world.users["officer"])
    old = _make(client, read_only="on")
    token = ApiToken.objects.get()
    response = client.post(f"{TOKENS}{token.pk}/rotate/")
    assert response["Location"] == MADE
    (new,) = SECRET_RE.findall(client.get(MADE).content.decode())
    assert new != old
    assert _status(old) == 401 and _status(new) == 200
    replacement = ApiToken.objects.get(replaces=token)
    assert replacement.read_only and replacement.name == token.name


def test_each_change_and_the_days_first_use_are_audited(world: World) -> None:
    officer = world.users["officer"]
    client = _signed_in(officer)
    secret = _make(client)
    token = ApiToken.objects.get()
    for _ in range(2):
        assert _status(secret) == 200
    client.post(f"{TOKENS}{token.pk}/revoke/")
    events = AuditEvent.objects.filter(action__startswith="api_token.").order_by("id")
    assert [e.action for e in events] == [
        "api_token.create",
        "api_token.use",
        "api_token.revoke",
    ]
    assert all(e.actor_id == officer.pk for e in events)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_is_refused_a_change(world: World) -> None:
    client = _signed_in(world.users["officer"])
    secret = _make(client, read_only="on")
    response = ApiClient().put(
        f"schemes/{world.scheme.slug}/principles/1/",
        {"short_title": "Pay", "wording": "New words"},
        **{"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_nobody_revokes_or_rotates_another_persons_token(world: World) -> None:
    secret = _make(_signed_in(world.users["officer"]))
    token = ApiToken.objects.get()
    other = _signed_in(world.users["other_officer"])
    assert other.post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
    assert other.post(f"{TOKENS}{token.pk}/rotate/").status_code == 404
    assert other.post(f"{TOKENS}999999/revoke/").status_code == 404
    assert "Membership database" not in other.get(TOKENS).content.decode()
    assert _status(secret) == 200


def _code() -> str:
    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(APP_SECRET, counter))


@pytest.mark.mfa_required
def test_two_factor_roles_enter_a_recent_code_before_making_a_token(world: World) -> None:
    rep = world.users["rep"]
    TOTP.activate(rep, APP_SECRET)
    client = _signed_in(rep)
    asked = client.get(NEW)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.post(NEW, {"name": "X", "expires_on": "2099-01-01"}).status_code == 302
    assert not ApiToken.objects.exists()
    entered = client.post(reverse("mfa_reauthenticate"), {"code": _code()})
    assert entered.status_code == 302
    assert client.get(NEW).status_code == 200
    assert _make(client).startswith("acc_")
    # An employer contact, who may choose two-factor sign-in, is not asked.
    assert _signed_in(world.users["employer"]).get(NEW).status_code == 200
