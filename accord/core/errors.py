"""The one kind of error a service raises when a rule refuses what a person asked for."""

from __future__ import annotations


class DomainError(Exception):
    """`message` is for the person who tried; `field` is the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
