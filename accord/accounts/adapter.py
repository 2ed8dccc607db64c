"""How django-allauth fits Accord: sign-up closed, e-mail through the outbox, links on the site,
two-factor sign-in kept by those who must use it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accord.core import mail
from accord.core.middleware import SIGNED_IN_AT

from . import rules
from .models import User

# Why a person receives allauth's messages (password resets, changes to their account).
ACCOUNT_REASON = (
    "it concerns the security of your Accord account; such messages are always sent at once"
)


def on_site(url: str) -> str:
    """`url` on the public address (ACCORD_SITE_URL), whatever host the request came in on."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.SITE_URL + path


def display_name(user: Any) -> str:
    """How allauth's messages name a person ("Signed in as ..."): as every page does."""
    return user.get_full_name()


class AccordAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The e-mail address or the password is not correct.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by invitation only: nobody signs themselves up.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Two-factor settings (set-up, new recovery codes, turning it off) ask for the password
        again, unless the person signed in within the last few minutes: setting up an app and
        seeing its recovery codes is where a first sign-in leads."""
        request = allauth_context.request
        session = getattr(request, "session", None)
        signed_in_at = session.get(SIGNED_IN_AT) if session is not None else None
        recent = isinstance(signed_in_at, int) and (
            timezone.now().timestamp() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT
        )
        if app == "allauth.mfa" and recent:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Written to the outbox in the caller's transaction, never sent while the page waits."""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            # None when the change is committed after its request (as a test runs it).
            "current_site": get_current_site(request) if request is not None else None,
            "site_url": settings.SITE_URL,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, kind in getattr(message, "alternatives", [])
                if kind == "text/html"
            ),
            None,
        )
        with transaction.atomic():
            for to in message.to:
                user = context.get("user") or User.objects.filter(email=to.lower()).first()
                composed = mail.wrap(
                    subject=message.subject,
                    text=message.body,
                    html=html if html is not None else mail.text_as_html(message.body),
                    name=user.get_full_name() if user is not None else to,
                    reason=ACCOUNT_REASON,
                )
                mail.queue(to=to, composed=composed)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))


class AccordMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The code is not correct. Enter the 6 digits your app shows now.",
        "cannot_delete_authenticator": (
            "Your roles need two-factor sign-in, so you cannot turn it off. If you have lost "
            "your phone, ask a national officer to reset it."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Those who must use two-factor sign-in cannot switch it off; an officer's reset can.
        return not rules.must_use_mfa(authenticator.user)
