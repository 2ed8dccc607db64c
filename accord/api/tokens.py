"""Making, checking, revoking and rotating API tokens. Every change is audited; using a token
updates its `last_used_at` (at most once a minute, so a busy client does not write on every
request) and the first use of each day is audited.

A token works only while its owner may sign in: `authenticate` refuses a deactivated person's
tokens at once (erasure deactivates too), and erasing a person revokes their tokens for good
(`revoke_all`, connected in `apps.py`), so that they show as revoked and nothing brings them
back."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accord.accounts.models import User
from accord.core.audit import log_action
from accord.core.errors import DomainError

from .models import ApiToken

SECRET_PREFIX = "acc_"
# A token lives at most this long; a person names a shorter life when they make one.
LONGEST_LIFE = datetime.timedelta(days=366)
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def digest(secret: str) -> str:
    """The secret's SHA-256: secrets are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit(token: ApiToken, action: str, summary: str, *, actor: User | None) -> None:
    log_action(
        token,
        action,
        actor=actor,
        summary=summary,
        context=f"user:{token.user_id}",
        changes={"token": [None, f"{token.name} ({token.prefix}…)"]},
    )


@transaction.atomic
def issue(
    user: User,
    *,
    name: str,
    expires_at: datetime.datetime,
    read_only: bool = False,
    actor: User | None = None,
    replaces: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`, and its secret (shown once, never stored)."""
    now = timezone.now()
    if expires_at <= now:
        raise DomainError("The expiry must be in the future.", field="expires_at")
    if expires_at > now + LONGEST_LIFE:
        raise DomainError("A token can last at most a year.", field="expires_at")
    body = secrets.token_urlsafe(32)
    secret = f"{SECRET_PREFIX}{body}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 8],
        digest=digest(secret),
        read_only=read_only,
        expires_at=expires_at,
        replaces=replaces,
    )
    _audit(token, "api_token.create", f"API token “{name}” made", actor=actor or user)
    return token, secret


def of(user: User) -> QuerySet[ApiToken]:
    """The person's tokens, live or not, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def revoke(token: ApiToken, *, actor: User | None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _audit(token, "api_token.revoke", f"API token “{token.name}” revoked", actor=actor)


@transaction.atomic
def revoke_all(user: User, *, actor: User | None) -> int:
    """Revoke every live token of `user` (each audited); how many."""
    live = list(ApiToken.objects.live().filter(user=user).select_for_update())
    for token in live:
        revoke(token, actor=actor)
    return len(live)


def revoke_erased(sender: type[User], instance: User, **kwargs: object) -> None:
    """A `post_save` receiver for people: a deactivated or erased person's tokens are revoked
    with the rest of their access, so that being made active again brings none back. Reads
    nothing for anyone else."""
    if instance.is_active and not instance.is_erased:
        return
    if ApiToken.objects.live().filter(user=instance).exists():
        with transaction.atomic():
            revoke_all(instance, actor=None)


@transaction.atomic
def rotate(token: ApiToken, *, actor: User) -> tuple[ApiToken, str]:
    """A new secret in place of `token`'s: the same name, rights and life, the old one revoked."""
    if not token.is_live:
        raise DomainError("Only a live token can be rotated.")
    life = token.expires_at - token.created_at
    revoke(token, actor=actor)
    return issue(
        token.user,
        name=token.name,
        expires_at=timezone.now() + min(life, LONGEST_LIFE),
        read_only=token.read_only,
        actor=actor,
        replaces=token,
    )


def authenticate(secret: str) -> ApiToken | None:
    """The live token whose secret this is, with its active user; else None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.live()
        .select_related("user")
        .filter(digest=digest(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    note_use(token)
    return token


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is not None and now - last < LAST_USED_PRECISION:
        return
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        if last is None or timezone.localdate(last) != timezone.localdate(now):
            _audit(token, "api_token.use", f"API token “{token.name}” used", actor=token.user)
