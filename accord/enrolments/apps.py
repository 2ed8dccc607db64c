from django.apps import AppConfig


class EnrolmentsConfig(AppConfig):
    name = "accord.enrolments"
    label = "enrolments"
    verbose_name = "Enrolments (the joining process)"
