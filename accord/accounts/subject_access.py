"""Subject access: everything Accord holds about a person, as one zip file.

The zip holds `data.json` (machine-readable) and `index.html` (the same, readable). Its
sections: the profile and e-mail addresses; the roles, current and ended; every row of every
model that points to the person through a user foreign key (the steps they took, the notes
they wrote, the reminders sent to them: a model added later is covered without a change here);
the e-mails addressed to them; and the audit events about them (theirs, about their account,
or naming their address). Secrets (password hashes, tokens, second-factor keys) are left out,
and so are the unions' own reasons and deliberations for someone outside the unions.
Each kind of record is bounded (`ROW_LIMIT`), and a section cut short says so.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accord.core import audit
from accord.core.errors import DomainError
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage

from . import rules
from .erasure import user_foreign_keys
from .models import RoleAssignment, User

# The most rows of one kind a download holds.
ROW_LIMIT = 5000
# Never in a download, whoever it is for.
SECRET_FIELDS = {"password", "token", "token_hash", "session_key", "secret", "content_salt"}
SECRET_MODEL_FIELDS = {"mfa.authenticator": {"data"}}
# Read in their own sections, or holding nothing of the person's but a link to a session.
_OWN_SECTIONS = {"core.auditevent", "accounts.roleassignment", "account.emailaddress"}
_PROFILE_FIELDS = (
    "id",
    "full_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
)


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def withheld_fields(model: type[models.Model], *, union_side: bool) -> set[str]:
    """The fields of `model` a download leaves out: secrets always; the unions' own reasons
    (a model's `UNION_ONLY_FIELDS`) for someone outside the unions, such as an employer's
    contact who accepted the logo terms of their employer's case."""
    withheld = SECRET_FIELDS | SECRET_MODEL_FIELDS.get(model._meta.label_lower, set())
    if not union_side:
        withheld |= set(getattr(model, "UNION_ONLY_FIELDS", ()))
    return withheld


def withheld_through(obj: models.Model, keys: list[models.Field], person: User) -> set[str]:
    """The fields of `obj` a model keeps from whoever it points to through a given foreign key
    (`SUBJECT_ACCESS_WITHHELD`: what their own pages never show them, or other people's data,
    such as the decision's reasons from who raised a concern, or who raised it from the officer
    who decided it). Pointing to them through several keys, they get what any of them allows."""
    by_key = getattr(obj, "SUBJECT_ACCESS_WITHHELD", {})
    kept = [set(by_key.get(k.name, ())) for k in keys if getattr(obj, k.attname) == person.pk]
    return set.intersection(*kept) if kept else set()


def _row(obj: models.Model, withheld: set[str]) -> dict[str, Any]:
    return {
        f.attname: _value(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in withheld and f.attname not in withheld
    }


def _section(
    title: str,
    queryset: models.QuerySet,
    *,
    union_side: bool = True,
    withheld_for: Callable[[models.Model], set[str]] = lambda obj: set(),
) -> dict[str, Any]:
    withheld = withheld_fields(queryset.model, union_side=union_side)
    rows = [_row(obj, withheld | withheld_for(obj)) for obj in queryset[: ROW_LIMIT + 1]]
    return {
        "title": title,
        "rows": rows[:ROW_LIMIT],
        "truncated": len(rows) > ROW_LIMIT,
    }


def _records(person: User, *, union_side: bool) -> list[dict[str, Any]]:
    """Every row of every model that points to the person, by model."""
    sections = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or label in _OWN_SECTIONS:
            continue
        keys = user_foreign_keys(model)
        if not keys:
            continue
        condition = Q(pk__in=[])
        for key in keys:
            condition |= Q(**{key.attname: person.pk})
        queryset = model._base_manager.filter(condition).order_by("pk")
        if not queryset.exists():
            continue
        section = _section(
            str(model._meta.verbose_name_plural).capitalize(),
            queryset,
            union_side=union_side,
            withheld_for=lambda obj, keys=keys: withheld_through(obj, keys, person),
        )
        section["kind"] = label
        section["through"] = [key.name for key in keys]
        sections.append(section)
    return sections


def _addresses(person: User) -> list[str]:
    found = {
        person.email,
        *EmailAddress.objects.filter(user=person).values_list("email", flat=True),
    }
    return sorted(a for a in found if a)


def collect(person: User) -> dict[str, Any]:
    """Everything Accord holds about `person`, as plain data."""
    addresses = _addresses(person)
    to_them = Q(pk__in=[])
    for address in addresses:
        to_them |= Q(to__iexact=address)
    about = Q(actor=person) | Q(context=audit.context_of(person))
    about |= Q(target_type=person._meta.label_lower, target_id=str(person.pk))
    about |= Q(pk__in=audit.mentioning(addresses).values("pk"))
    # The unions' deliberations are theirs (the events an employer's side never sees): someone
    # outside the unions gets the events about them that their own side may read.
    union_side = rules.is_union_staff(person)
    events = AuditEvent.objects.filter(about)
    if not union_side:
        events = events.filter(internal=False)
    return {
        "format": "accord-subject-access-1",
        "produced_at": timezone.now().isoformat(),
        "profile": {name: _value(getattr(person, name)) for name in _PROFILE_FIELDS},
        "email_addresses": _section(
            "E-mail addresses", EmailAddress.objects.filter(user=person).order_by("pk")
        ),
        "roles": _section(
            "Roles, current and ended",
            RoleAssignment.history.filter(user=person).order_by("starts_on", "pk"),
        ),
        "records": _records(person, union_side=union_side),
        "emails": _section(
            "E-mails addressed to them",
            OutboxMessage.objects.filter(to_them).order_by("created_at", "pk"),
        ),
        "audit_events": _section(
            "Audit events about them",
            events.order_by("created_at", "pk"),
        ),
    }


def build_zip(data: dict[str, Any]) -> bytes:
    """The zip a person downloads: data.json and index.html."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
        )
        archive.writestr("index.html", render_to_string("accounts/subject_access.html", data))
    return buffer.getvalue()


def export_person_data(*, person: User, actor: User) -> bytes:
    """The zip of everything held about `person`, for them or for an officer answering their
    request made offline; the download is audited."""
    if not rules.can_export_person_data(actor, person):
        raise DomainError("You may not download this person's data.")
    with transaction.atomic():
        data = collect(person)
        own = actor.pk == person.pk
        audit.log_action(
            person,
            "person.subject_access",
            actor=actor,
            summary=(
                f"{actor} downloaded their own data"
                if own
                else f"{actor} produced the data held about {person} for their request"
            ),
            changes={"download": [None, "data.json and index.html"]},
            internal=True,
        )
    return build_zip(data)
