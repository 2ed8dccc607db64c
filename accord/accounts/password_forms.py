"""Allauth's sign-in, password and two-factor forms in Accord's words, refusing unsafe
characters and auditing every password change."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms

from accord.core.forms import SafeTextMixin

from . import services


class AccordLabels:
    """Labels in the house's words, and no placeholders standing in for them."""

    labels: dict[str, str] = {}
    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in ("password", "oldpassword"):
                # allauth links the reset page from here; Accord's pages link it once, below.
                field.help_text = ""


NEW_PASSWORD = {"password1": "New password", "password2": "New password again"}


class LoginForm(SafeTextMixin, AccordLabels, allauth_forms.LoginForm):
    labels = {"login": "E-mail address", "password": "Password"}


class ResetPasswordForm(SafeTextMixin, AccordLabels, allauth_forms.ResetPasswordForm):
    labels = {"email": "E-mail address"}


class ResetPasswordKeyForm(SafeTextMixin, AccordLabels, allauth_forms.ResetPasswordKeyForm):
    labels = NEW_PASSWORD

    def save(self) -> None:
        # Allauth's own save only sets the password: this does the same, audited.
        services.set_password(self.user, self.cleaned_data["password1"], how="reset")


class ChangePasswordForm(SafeTextMixin, AccordLabels, allauth_forms.ChangePasswordForm):
    labels = {"oldpassword": "Current password", **NEW_PASSWORD}

    def save(self) -> None:
        services.set_password(self.user, self.cleaned_data["password1"], how="changed")


class SetPasswordForm(SafeTextMixin, AccordLabels, allauth_forms.SetPasswordForm):
    labels = NEW_PASSWORD

    def save(self) -> None:
        services.set_password(self.user, self.cleaned_data["password1"], how="set")


CODE = "Code from your authenticator app"


class AuthenticateForm(SafeTextMixin, AccordLabels, mfa_forms.AuthenticateForm):
    labels = {"code": f"{CODE}, or a recovery code"}


class ReauthenticateForm(SafeTextMixin, AccordLabels, mfa_forms.ReauthenticateForm):
    labels = {"code": f"{CODE}, or a recovery code"}


class ActivateTOTPForm(SafeTextMixin, AccordLabels, totp_forms.ActivateTOTPForm):
    labels = {"code": CODE}
