"""Erasing a person: their name and e-mail address replaced by a pseudonym.

`erase_person` is the one service. It pseudonymises the person's own rows (account, addresses,
invitations, e-mail preferences and held e-mails, sessions, second factors), redacts the audit
trail without breaking its chain (`accord.core.audit.redact`), blanks the free text the person
wrote unless the model keeps it on another legal basis, and then passes over every text column
of every model, so that a model added later is covered without a change here.

Where the pseudonym goes. The address is the person's alone, so it is replaced wherever it
appears. A name is not: someone else may have the same one, and a name can be any words. So
the name is replaced only in records about the person: audit events they did, about their
account, in their own stream (`audit.context_of(person)`) or that also hold their address;
rows that point to them through a user foreign key (`user_foreign_keys`) or also hold their
address. A namesake's records, and other people's text that happens to hold the words of an
erased name, are left alone.

A model keeps free text its author wrote by naming the field and the legal basis in
`PERSONAL_TEXT_KEPT = {"field": "why"}`; every other text field of a row that points to the
erased person through a user foreign key is blanked (see `blanked_text_fields`).

The audit trail keeps a copy of the free text given with each step (the event's note). The
note of every event the person did is blanked too (to `ERASED_TEXT`, through
`audit.redact`), unless the same text is kept on another legal basis: in a
`PERSONAL_TEXT_KEPT` field of the event's target, or of a row that points to the person.
"""

from __future__ import annotations

import contextlib
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


def _points_to(model: type[models.Model], person: User) -> Q:
    condition = Q(pk__in=[])
    for key in user_foreign_keys(model):
        condition |= Q(**{key.attname: person.pk})
    return condition


def _pass_over_every_table(
    person: User, values: list[str], swap: Callable[[str], str], erasure: Erasure
) -> None:
    """Replace the values in every text column of every model (a model added later too): the
    address wherever it appears, the name only in rows about the person, those that point to
    them through a user foreign key or also hold their address. A namesake's rows, or words
    that happen to be an erased person's name, are left alone."""
    addresses = [value for value in values if "@" in value]
    for model in _concrete_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, _TEXT_FIELDS) and not f.primary_key and not f.choices
        ]
        if not fields:
            continue
        annotations, mentioned = _mentions(fields, values)
        _, addressed = _mentions(fields, addresses)
        condition = addressed | (_points_to(model, person) & mentioned)
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


def _kept_texts(model: type[models.Model], condition: Q) -> set[str]:
    """The text of the fields `model` keeps on another legal basis, in the rows `condition`
    selects."""
    kept = [
        name
        for name in getattr(model, "PERSONAL_TEXT_KEPT", {})
        if isinstance(model._meta.get_field(name), models.TextField)
    ]
    texts: set[str] = set()
    if not kept:
        return texts
    for row in model._base_manager.filter(condition).values_list(*kept):
        texts.update(text.strip() for text in row if text)
    return texts


def _audit_notes_to_blank(person: User) -> dict[int, str]:
    """The notes of the events the person did, each the free text they gave with the step, to
    be blanked unless the same text is kept on another legal basis: in a field the event's
    target keeps (`PERSONAL_TEXT_KEPT`), or one that a row pointing to the person keeps."""
    kept: set[str] = set()
    for model in _concrete_models():
        if _is_project_model(model) and user_foreign_keys(model):
            kept |= _kept_texts(model, _points_to(model, person))
    events = (
        AuditEvent.objects.filter(actor=person)
        .exclude(note="")
        .exclude(note=ERASED_TEXT)
        .exclude(action=audit.REDACTION_ACTION)
        .only("id", "note", "target_type", "target_id")
    )
    targets: dict[tuple[str, str], set[str]] = {}
    blanks: dict[int, str] = {}
    for event in events.iterator(chunk_size=500):
        key = (event.target_type, event.target_id)
        if key not in targets:
            targets[key] = set()
            try:
                model = apps.get_model(event.target_type)
            except (LookupError, ValueError):
                model = None
            if model is not None and _is_project_model(model):
                with contextlib.suppress(ValueError, TypeError):
                    targets[key] = _kept_texts(model, Q(pk=event.target_id))
        if event.note.strip() not in kept | targets[key]:
            blanks[event.id] = ERASED_TEXT
    return blanks


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

        # The name only in events about the person; the address, theirs alone, anywhere.
        about_them = (
            Q(actor=person)
            | Q(target_type=person._meta.label_lower, target_id=str(person.pk))
            | Q(stream=context)
        )
        erasure.redacted_events = len(
            audit.redact(
                replacements,
                actor=actor,
                target=person,
                context=context,
                summary=f"Audit events naming {name} redacted",
                within=about_them,
                everywhere=[value for value in values if "@" in value],
                notes=_audit_notes_to_blank(person),
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
        _pass_over_every_table(person, values, swap, erasure)
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
