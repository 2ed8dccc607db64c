"""Erasing a person: their name and e-mail address replaced by a pseudonym everywhere.

`erase_person` is the one service. It pseudonymises the person's own rows (account, addresses,
invitations, e-mail preferences and held e-mails, sessions, second factors), redacts the audit
trail without breaking its chain (`accord.core.audit.redact`), blanks the free text the person
wrote unless the model keeps it on another legal basis, and then passes over every text column
of every model, so that a model added later is covered without a change here.

A model keeps free text its author wrote by naming the field and the legal basis in
`PERSONAL_TEXT_KEPT = {"field": "why"}`; every other text field of a row that points to the
erased person through a user foreign key is blanked (see `blanked_text_fields`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.html import escape

from accord.core import audit
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage, OutboxStatus
from accord.core.text import clean_text

from . import rules
from .models import EmailPreference, HeldEmail, User
from .services import _delete_sessions, _void_open_invitations

# What a blanked required text field reads afterwards.
ERASED_TEXT = "(removed when its author's personal data was erased)"
_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
# Rows the erasure handles itself, before the pass over every table.
_HANDLED = {"core.auditevent", "accounts.user", "sessions.session"}


@dataclass
class Erasure:
    """What an erasure changed, counted by table: no erased value is kept here."""

    person: User
    redacted_events: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, n: int) -> None:
        if n:
            self.rows[label] = self.rows.get(label, 0) + n


def _is_project_model(model: type[models.Model]) -> bool:
    return model.__module__.startswith("accord.")


def blanked_text_fields(model: type[models.Model]) -> list[models.Field]:
    """The free-text fields of `model` that an erased author's rows lose: its text fields, less
    those it keeps on another legal basis (`PERSONAL_TEXT_KEPT`)."""
    kept = getattr(model, "PERSONAL_TEXT_KEPT", {})
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.TextField) and f.name not in kept
    ]


def user_foreign_keys(model: type[models.Model]) -> list[models.Field]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model and not f.primary_key
    ]


def _concrete_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed or opts.label_lower in _HANDLED:
            continue
        yield model


def _erased_values(person: User) -> list[str]:
    """Every name and address the person is known by: now, in their other addresses, and in
    the audit trail's record of changes to their account."""
    values = {person.full_name, person.email, person.first_name, person.last_name}
    values.update(EmailAddress.objects.filter(user=person).values_list("email", flat=True))
    changes = AuditEvent.objects.filter(
        target_type=person._meta.label_lower, target_id=str(person.pk)
    ).values_list("changes", flat=True)
    for change in changes.iterator(chunk_size=500):
        for key in ("email", "full_name", "e-mail address", "name"):
            pair = change.get(key) if isinstance(change, dict) else None
            if isinstance(pair, list):
                values.update(v for v in pair if isinstance(v, str))
    values = {v.strip() for v in values if v and len(v.strip()) >= 2}
    # As HTML parts of e-mails hold them: "O'Brien" is "O&#x27;Brien" there.
    return sorted(values | {escape(v) for v in values})


def _replace_json(value: Any, swap: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, dict):
        return {swap(k): _replace_json(v, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_json(v, swap) for v in value]
    return value


def _mentions(fields: list[models.Field], values: list[str]) -> tuple[dict[str, Any], Q]:
    annotations: dict[str, Any] = {}
    condition = Q(pk__in=[])
    for f in fields:
        name = f.attname
        if isinstance(f, models.JSONField):
            name = f"_erasure_{f.attname}"
            annotations[name] = Cast(f.attname, models.TextField())
        for value in values:
            condition |= Q(**{f"{name}__icontains": value})
            if isinstance(f, models.JSONField):
                condition |= Q(**{f"{name}__icontains": json.dumps(value)[1:-1]})
    return annotations, condition


def _pass_over_every_table(values: list[str], swap: Callable[[str], str], erasure: Erasure) -> None:
    """Replace the values in every text column of every model (a model added later too)."""
    for model in _concrete_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, _TEXT_FIELDS) and not f.primary_key and not f.choices
        ]
        if not fields:
            continue
        annotations, condition = _mentions(fields, values)
        rows = model._base_manager.annotate(**annotations).filter(condition)
        changed = 0
        for row in rows.only(*[f.attname for f in fields]).iterator(chunk_size=500):
            updates = {}
            for f in fields:
                old = getattr(row, f.attname)
                new = _replace_json(old, swap) if old is not None else None
                if new != old:
                    updates[f.attname] = new
            if updates:
                model._base_manager.filter(pk=row.pk).update(**updates)
                changed += 1
        erasure.count(model._meta.label_lower, changed)


def _blank_authored_text(person: User, erasure: Erasure) -> None:
    """Blank the free text of rows that point to the person, unless the model keeps it."""
    for model in _concrete_models():
        if not _is_project_model(model):
            continue
        keys = user_foreign_keys(model)
        texts = blanked_text_fields(model)
        if not keys or not texts:
            continue
        condition = Q(pk__in=[])
        for key in keys:
            condition |= Q(**{key.attname: person.pk})
        blanks = {f.attname: "" if f.blank else ERASED_TEXT for f in texts}
        filled = Q(pk__in=[])
        for f in texts:
            filled |= ~Q(**{f.attname: blanks[f.attname]})
        n = model._base_manager.filter(condition).filter(filled).update(**blanks)
        erasure.count(model._meta.label_lower, n)


def _delete_second_factors(person: User, erasure: Erasure) -> None:
    if apps.is_installed("allauth.mfa"):
        authenticator = apps.get_model("mfa", "Authenticator")
        n, _ = authenticator.objects.filter(user=person).delete()
        erasure.count("mfa.authenticator", n)


def erase_person(*, person: User, actor: User | None, reason: str) -> Erasure:
    """Replace `person`'s name and e-mail address by a pseudonym everywhere, end their access
    and blank the free text they wrote where nothing else requires it to be kept.

    `actor` is the national officer (or superuser) erasing them; None when the retention rules
    erase a deactivated person. Erasing an erased person again changes nothing.
    """
    reason = clean_text(reason).strip()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        was_active = person.is_active
        if actor is not None and not rules.can_erase_person(actor, person):
            raise DomainError("You may not erase this person.")
        if actor is None and person.is_active:
            raise DomainError("Only a deactivated person is erased by the retention rules.")
        erasure = Erasure(person)
        if person.is_erased:
            return erasure
        name, address = person.pseudonym_name, person.pseudonym_email
        values = _erased_values(person)
        replacements = {value: name for value in values if "@" not in value}
        replacements.update({value: address for value in values if "@" in value})
        swap = audit.replacer(replacements)
        assert swap is not None  # the person has an address
        reason = swap(reason)
        context = audit.context_of(person)

        erasure.redacted_events = len(
            audit.redact(
                replacements,
                actor=actor,
                target=person,
                context=context,
                summary=f"Audit events naming {name} redacted",
            )
        )
        person.full_name, person.email = name, address
        person.first_name = person.last_name = ""
        person.is_active = False
        person.set_unusable_password()
        person.save()
        erasure.count("account.emailaddress", EmailAddress.objects.filter(user=person).delete()[0])
        erasure.count("accounts.invitation", _void_open_invitations(person, timezone.now()))
        erasure.count(
            "accounts.emailpreference", EmailPreference.objects.filter(user=person).delete()[0]
        )
        erasure.count("accounts.heldemail", HeldEmail.objects.filter(user=person).delete()[0])
        # Mail still waiting for them is not sent to an address that is no longer theirs.
        to_them = Q(pk__in=[])
        for value in values:
            if "@" in value:
                to_them |= Q(to__iexact=value)
        waiting = OutboxMessage.objects.filter(to_them, status=OutboxStatus.PENDING)
        erasure.count(
            "core.outboxmessage",
            waiting.update(status=OutboxStatus.FAILED, last_error="The recipient was erased."),
        )
        erasure.count("sessions.session", _delete_sessions(person))
        _delete_second_factors(person, erasure)
        _blank_authored_text(person, erasure)
        _pass_over_every_table(values, swap, erasure)
        audit.log_action(
            person,
            "person.erase",
            actor=actor,
            summary=f"{actor or 'The retention rules'} erased the personal data of {name}",
            context=context,
            changes={
                "personal data": ["(erased)", "pseudonym"],
                "is_active": [was_active, False],
                "redacted audit events": [None, erasure.redacted_events],
                "rows changed": [None, dict(sorted(erasure.rows.items()))],
            },
            note=reason,
            internal=True,
        )
    return erasure
