from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "accord.membership"
    label = "membership"
    verbose_name = "Membership"

    def ready(self) -> None:
        # Register membership's joining steps with enrolments, which sits below and cannot
        # import them; Django calls this once every app's models are loaded.
        from . import steps  # noqa: F401
