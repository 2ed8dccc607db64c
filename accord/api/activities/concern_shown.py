"""What a concern's page shows each person, as the API answers it: the officers everything,
the person who raised it its state, what they wrote and the decision, and the employer's
contact (once told) what it is about, its response, the decision, reasons and remedies, never
who raised it. `shown` builds the answer; the serializers describe it in the schema."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from accord.actions.models import Action, ActionStatus
from accord.membership import concerns, rules
from accord.membership.concern_views import CONCERN_STEPS, _appeal_side
from accord.membership.models import (
    AppealSide,
    Concern,
    ConcernEvidence,
    ConcernOutcome,
    ConcernState,
)


class PrincipleRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    short_title = serializers.CharField()


class AboutSerializer(serializers.Serializer):
    subject = serializers.CharField()
    principles = PrincipleRefSerializer(many=True)


class ConcernEvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download = serializers.SerializerMethodField()

    class Meta:
        model = ConcernEvidence
        fields = ("id", "name", "side", "content_type", "size", "removed_on", "download")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, file: ConcernEvidence) -> str | None:
        if file.removed_on is not None:
            return None
        return reverse("api:concern-evidence", args=[file.pk])


class RemedySerializer(serializers.ModelSerializer):
    """A remedy agreed in the decision: an action, with its own progress at `url`."""

    status = serializers.ChoiceField(choices=ActionStatus.choices)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ("id", "url", "number", "detail", "owner", "due_on", "status")

    def get_url(self, action: Action) -> str:
        return reverse("api:action", args=[action.pk])


class CaseSerializer(serializers.Serializer):
    """What the officers and the employer's contact (once told) read."""

    put_at = serializers.DateTimeField(allow_null=True)
    put_note = serializers.CharField(allow_blank=True)
    response_due_on = serializers.DateField(allow_null=True)
    response = serializers.CharField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    reasons = serializers.CharField(allow_null=True)
    appeal_reasons = serializers.CharField(allow_null=True)
    evidence = ConcernEvidenceSerializer(many=True)
    remedies = RemedySerializer(many=True)


class RaiserSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    public = serializers.BooleanField(help_text="Raised by a member of the public.")


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    text = serializers.CharField()


class InternalSerializer(serializers.Serializer):
    """What the national officers alone read: who raised it, who decided, the grounds of an
    appeal and what has happened."""

    raised_by = RaiserSerializer()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    appeal_grounds = serializers.CharField(allow_null=True)
    appeal_decided_by = serializers.CharField(allow_null=True)
    appeal_decided_at = serializers.DateTimeField(allow_null=True)
    events = EventSerializer(many=True)


class StepRefSerializer(serializers.Serializer):
    step = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


def _nullable_choice(choices: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, allow_null=True)


class AppealSerializer(serializers.Serializer):
    """The one appeal: who appealed, when, and the decision on it (null until decided)."""

    side = serializers.ChoiceField(choices=AppealSide.choices)
    at = serializers.DateTimeField()
    outcome = _nullable_choice(ConcernOutcome.choices)


class ConcernSerializer(serializers.Serializer):
    """A concern as its page shows it to the caller. `about` (what it is about) is null for
    whoever may not read it, `case` (the employer's part, the reasons, the remedies) for the
    person who raised it, and `internal` for everyone but the officers."""

    id = serializers.IntegerField()
    url = serializers.CharField()
    member = serializers.CharField()
    scheme = serializers.CharField()
    state = serializers.ChoiceField(choices=ConcernState.choices)
    state_label = serializers.CharField()
    raised_at = serializers.DateTimeField()
    outcome = _nullable_choice(ConcernOutcome.choices)
    appeal = AppealSerializer(allow_null=True)
    appeal_open_until = serializers.DateField(allow_null=True)
    steps = StepRefSerializer(many=True)
    about = AboutSerializer(allow_null=True)
    case = CaseSerializer(allow_null=True)
    internal = InternalSerializer(allow_null=True)


class ConcernRowSerializer(serializers.Serializer):
    """A concern in the list: the member, its state, when raised, and when a response is due
    (null for the person who raised it, who is not told)."""

    id = serializers.IntegerField()
    url = serializers.CharField()
    member = serializers.CharField()
    scheme = serializers.CharField()
    state = serializers.ChoiceField(choices=ConcernState.choices)
    state_label = serializers.CharField()
    raised_at = serializers.DateTimeField()
    response_due_on = serializers.DateField(allow_null=True)


def _name(user: Any) -> str | None:
    return user.get_full_name() if user is not None else None


def _steps(user: Any, concern: Concern) -> list[dict[str, str]]:
    """The steps the caller may take now, as the page offers them."""
    return [
        {
            "step": slug,
            "title": step.title,
            "url": reverse("api:concern-step", args=[concern.pk, slug]),
        }
        for slug, step in CONCERN_STEPS.items()
        if step.allowed(user, concern) and concern.state in concerns.STEPS[step.name].sources
    ]


def shown(request: Request, concern: Concern) -> dict[str, Any]:
    """The concern as its page shows it to the caller (who may see it)."""
    user = request.user
    officer = rules.can_handle_concerns(user, concern.membership)
    side = _appeal_side(request, concern)  # type: ignore[arg-type]
    employer_view = not officer and side == AppealSide.EMPLOYER
    raiser = rules.is_raiser(user, concern)
    until = concerns.appeal_open_until(concern)
    body: dict[str, Any] = {
        "id": concern.pk,
        "url": reverse("api:concern", args=[concern.pk]),
        "member": concern.membership.employer.name,
        "scheme": concern.membership.scheme.name,
        "state": concern.state,
        "state_label": concern.get_state_display(),
        "raised_at": concern.raised_at,
        "outcome": concern.outcome or None,
        "appeal": {
            "side": concern.appeal_side,
            "at": concern.appealed_at,
            "outcome": concern.appeal_outcome or None,
        }
        if concern.appealed_at
        else None,
        "appeal_open_until": until if concern.state == ConcernState.DECIDED else None,
        "steps": _steps(user, concern),
        "about": None,
        "case": None,
        "internal": None,
    }
    if officer or employer_view or raiser:
        body["about"] = {
            "subject": concern.subject,
            "principles": [
                {"number": v.principle.number, "short_title": v.principle.short_title}
                for v in concern.principles.all()
            ],
        }
    if officer or employer_view:
        evidence = [
            e for e in concern.evidence.all() if officer or (e.side == AppealSide.EMPLOYER and side)
        ]
        body["case"] = {
            "put_at": concern.put_at,
            "put_note": concern.put_note if concern.put_at else "",
            "response_due_on": concern.response_due_on if concern.put_at else None,
            "response": concern.response if concern.responded_at else None,
            "responded_at": concern.responded_at,
            "reasons": concern.reasons if concern.outcome else None,
            "appeal_reasons": concern.appeal_reasons if concern.appeal_outcome else None,
            "evidence": evidence,
            "remedies": list(concern.remedies.order_by("number")),
        }
    if officer:
        body["internal"] = {
            "raised_by": (
                {
                    "name": concern.raised_by.get_full_name(),
                    "email": concern.raised_by.email,
                    "public": False,
                }
                if concern.raised_by_id is not None
                else {"name": concern.raiser_name, "email": concern.raiser_email, "public": True}
            ),
            "decided_by": _name(concern.decided_by),
            "decided_at": concern.decided_at,
            "appeal_grounds": concern.appeal_grounds if concern.appealed_at else None,
            "appeal_decided_by": _name(concern.appeal_decided_by),
            "appeal_decided_at": concern.appeal_decided_at,
            "events": [{"at": e.at, "text": e.text} for e in concern.events.all()],
        }
    return ConcernSerializer(body).data
