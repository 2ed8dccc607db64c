from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "accord.membership"
    label = "membership"
    verbose_name = "Membership"
