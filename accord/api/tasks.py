"""API: the caller's task list, as the tasks page shows it (`notifications.views.tasks`).

The same reads as the page, called the same way (`notifications.selectors`, `start.build`,
`membership.selectors.concern_tasks`), so the list holds what the page holds, each list cut
where the page cuts it (`more` names the kinds with more waiting than shown), at the page's
fixed number of queries. The rows are flattened into items, each with a kind, a label, the
object it is about, the page that acts on it and, when the API has one, the API address that
acts on it: found from the page's own address by its name (`ACTS`), so that an item points
into the API once the resource that takes the action is served, and never to an address the
API does not answer."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.urls import Resolver404, path, resolve, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.actions.models import Action
from accord.enrolments import rules as enrolment_rules
from accord.enrolments.models import Enrolment
from accord.membership import selectors as membership_selectors
from accord.notifications import selectors, start

from .views import not_found

BASE = "/api/v1/"

# The API address that takes the action of a page, by the page address's name: the API's
# resources mirror the pages' addresses (`{…}` are the page address's own arguments).
ACTS: dict[str, str] = {
    "enrolment": "enrolments/{pk}/",
    "enrolment-step": "enrolments/{pk}/steps/{name}/",
    "cycle-new": "enrolments/{pk}/cycles/",
    "cycle-review": "enrolments/{pk}/cycles/{number}/review/",
    "employer-view": "enrolments/{pk}/cycles/{number}/employer-view/",
    "cycle-confirm": "cycles/{pk}/confirmation/",
    "cycle-cosign": "cycles/{pk}/co-signature/",
    "review-confirm": "reviews/{pk}/confirmation/",
    "review-cosign": "reviews/{pk}/co-signature/",
    "policy-check": "policy-checks/{pk}/",
    "lapse-decision": "lapse-decisions/{pk}/",
    "concern": "concerns/{pk}/",
    "action": "actions/{pk}/",
    "join-request": "join-requests/{pk}/",
}

KINDS = {
    "step": "A joining step waiting for the caller.",
    "join_request": "An employer's request to join, waiting to be taken up.",
    "review_due": "A member's review due this school term.",
    "lapse_decision": "A review overdue beyond the grace period: extend or lapse.",
    "employer_view": "The employer's priorities and self-assessment, before the unions draft.",
    "member": "Something to do about a member's cycle, review or policy check.",
    "activity_overdue": "A member's activity past its due date.",
    "activity_due": "A member's activity due within 30 days.",
    "plan_action": "An action of the caller's party in an action plan, due within 30 days.",
    "escalation": "A step that waited too long, escalated to the caller.",
    "unattended": "A case nobody in scope can act on.",
    "concern": "A concern about a member waiting on the caller.",
}


@dataclass
class Item:
    kind: str
    label: str
    object_type: str
    object_id: int
    object_name: str
    enrolment_id: int | None
    date: datetime.date | None
    page_url: str
    state_label: str | None = None


class TaskObjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="enrolment, cycle, action, concern, …")
    id = serializers.IntegerField()
    name = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=list(KINDS), help_text="; ".join(f"`{k}`: {v}" for k, v in KINDS.items())
    )
    label = serializers.CharField()
    object = TaskObjectSerializer()
    enrolment = serializers.IntegerField(
        allow_null=True, help_text="The id of the enrolment (the member, or the case) it concerns."
    )
    state_label = serializers.CharField(
        allow_null=True,
        help_text="For a step: the case's state, as the caller may know it.",
    )
    date = serializers.DateField(
        allow_null=True, help_text="When it became due, or is due; null when undated."
    )
    url = serializers.CharField(
        allow_null=True, help_text="The API address that acts on it, where the API has one."
    )
    page_url = serializers.CharField(help_text="The page that acts on it.")


class TaskListSerializer(serializers.Serializer):
    results = TaskSerializer(many=True)
    more = serializers.ListField(
        child=serializers.CharField(),
        help_text="The kinds (as in `kind`) with more waiting than the list shows, as the page "
        "cuts them.",
    )


def api_url(page_url: str) -> str | None:
    """The API address that acts as the page at `page_url` does; None when the API has none."""
    try:
        match = resolve(page_url.split("?", 1)[0])
    except Resolver404:
        return None
    pattern = ACTS.get(match.url_name or "")
    if pattern is None:
        return None
    address = BASE + pattern.format(**match.kwargs)
    try:
        served = resolve(address)
    except Resolver404:
        return None
    return None if served.func is not_found else address


def _date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _on(kind: str, label: str, obj: Model, name: str, enrolment: int | None, **kw: Any) -> Item:
    return Item(
        kind=kind,
        label=label,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        object_name=name,
        enrolment_id=enrolment,
        date=_date(kw.get("date")),
        page_url=kw.get("page_url") or obj.get_absolute_url(),  # type: ignore[attr-defined]
        state_label=kw.get("state_label"),
    )


def _activity(kind: str, rows: Iterable[tuple[Enrolment, Action]]) -> list[Item]:
    return [
        _on(kind, action.detail, action, enrolment.employer.name, enrolment.pk, date=action.due_on)
        for enrolment, action in rows
    ]


def task_items(user: Any) -> tuple[list[Item], list[str]]:
    """The caller's tasks, read as the tasks page reads them, and the kinds cut short."""
    waiting = selectors.steps_waiting(user)
    rows = [(e, steps, enrolment_rules.state_label(user, e)) for e, steps in waiting.rows]
    page = start.build(user, rows, full=waiting.full)
    member_tasks = selectors.member_tasks(user)
    overdue = selectors.overdue_actions(user)
    plan_actions = selectors.plan_actions_for(user)
    unattended = selectors.unattended(user)
    escalations = selectors.escalations_for(user)
    concerns = membership_selectors.concern_tasks(user)

    items: list[Item] = []
    more: set[str] = set()
    for enrolment, steps, state in rows:
        for step in steps:
            items.append(
                _on(
                    "step",
                    step.label,
                    enrolment,
                    enrolment.employer.name,
                    enrolment.pk,
                    date=enrolment.state_changed_at,
                    page_url=reverse("enrolment-step", args=[enrolment.pk, step.name]),
                    state_label=state,
                )
            )
    if waiting.full:
        more.add("step")
    join_requests = []
    reviews_due: list[Any] = []
    if page.secretary is not None:
        join_requests += page.secretary.join_requests.rows
        reviews_due = page.secretary.reviews_due.rows
        if page.secretary.join_requests.more:
            more.add("join_request")
        if page.secretary.reviews_due.more:
            more.add("review_due")
    if page.officer is not None:
        join_requests += page.officer.join_requests.rows
        if page.officer.join_requests.more:
            more.add("join_request")
        for decision in page.officer.lapse_decisions:
            items.append(
                _on(
                    "lapse_decision",
                    "Decide: extend or lapse",
                    decision,
                    decision.membership.employer.name,
                    decision.cycle.enrolment_id,
                    date=decision.grace_ended_on,
                )
            )
        if page.officer.lapse_decisions.more:
            more.add("lapse_decision")
    for request in {r.pk: r for r in join_requests}.values():
        items.append(
            _on(
                "join_request",
                "Take up the request to join",
                request,
                request.employer_name,
                None,
                date=request.created_at,
            )
        )
    for cycle in reviews_due:
        items.append(
            _on(
                "review_due",
                f"Hold the review of cycle {cycle.number}",
                cycle,
                cycle.enrolment.employer.name,
                cycle.enrolment_id,
                date=cycle.ends_on,
                page_url=cycle.enrolment.get_absolute_url(),
            )
        )
    if page.employer is not None:
        for enrolment, url in page.employer.views_due:
            items.append(
                _on(
                    "employer_view",
                    "Enter your priorities and self-assessment",
                    enrolment,
                    enrolment.employer.name,
                    enrolment.pk,
                    page_url=url,
                )
            )
        items += _activity("activity_due", page.employer.due_soon)
        if page.employer.due_soon.more:
            more.add("activity_due")
    for task in member_tasks:
        for label, url in task.actions:
            items.append(
                _on(
                    "member",
                    label,
                    task.enrolment,
                    task.enrolment.employer.name,
                    task.enrolment.pk,
                    date=task.since,
                    page_url=url,
                )
            )
    if member_tasks.more:
        more.add("member")
    items += _activity("activity_overdue", overdue)
    if overdue.more:
        more.add("activity_overdue")
    for action in plan_actions:
        items.append(
            _on("plan_action", action.detail, action, action.plan.title, None, date=action.due_on)
        )
    if plan_actions.more:
        more.add("plan_action")
    for escalation in escalations:
        enrolment = escalation.enrolment
        items.append(
            _on(
                "escalation",
                escalation.step_label,
                enrolment,
                enrolment.employer.name,
                enrolment.pk,
                date=escalation.since,
                page_url=reverse("enrolment-step", args=[enrolment.pk, escalation.step]),
            )
        )
    if escalations.more:
        more.add("escalation")
    for case in unattended:
        enrolment = case.enrolment
        items.append(
            _on(
                "unattended",
                "Nobody can take: " + "; ".join(f"{s.label} (no {r})" for s, r in case.steps),
                enrolment,
                enrolment.employer.name,
                enrolment.pk,
                date=enrolment.state_changed_at,
            )
        )
    if unattended.more:
        more.add("unattended")
    for concern, label in concerns:
        items.append(_on("concern", label, concern, concern.membership.employer.name, None))
    return items, [kind for kind in KINDS if kind in more]


class TaskList(APIView):
    """What waits on the caller."""

    @extend_schema(
        operation_id="tasks_list",
        summary="The caller's task list",
        description="What waits on the caller, as the tasks page shows it: joining steps, "
        "members' reviews and cycles, overdue activities, plan actions, escalations, cases "
        "nobody can act on, lapse decisions and concerns. Each list is cut where the page "
        "cuts it, its kind then named in `more`.",
        responses=TaskListSerializer,
    )
    def get(self, request: Request) -> Response:
        items, more = task_items(request.user)
        results = [
            {
                "kind": item.kind,
                "label": item.label,
                "object": {
                    "type": item.object_type,
                    "id": item.object_id,
                    "name": item.object_name,
                },
                "enrolment": item.enrolment_id,
                "state_label": item.state_label,
                "date": item.date,
                "url": api_url(item.page_url),
                "page_url": item.page_url,
            }
            for item in items
        ]
        return Response(TaskListSerializer({"results": results, "more": more}).data)


urlpatterns = [path("tasks/", TaskList.as_view(), name="task-list")]
