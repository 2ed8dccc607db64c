from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accord.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .middleware import record_mfa_set_up

        authenticator_added.connect(record_mfa_set_up, dispatch_uid="accord-mfa-set-up")
