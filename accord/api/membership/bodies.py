"""Forms that read many values (a cycle's activities, a self-assessment per principle, an
outcome per objective) take JSON lists in the API: each list is turned into the form's own
fields, and the form's errors are named by their place in the list (`activities.0.due_on`).
The request bodies those operations take are described here by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request

from accord.membership.cycle_forms import (
    EmployerViewForm,
    ReviewForm,
)
from accord.membership.models import (
    Priority,
    Readiness,
)

from ..forms import field_schema, form_errors
from ..problems import NON_FIELD, Problem

# --- lists in a form's fields ---------------------------------------------------------------


def text(value: Any, name: str) -> str:
    """A single JSON value as the text a form field reads; a list or object where one value
    belongs is a 400 problem naming `name`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, str | int | float):
        return str(value)
    raise Problem(400, f"Check {name}.", errors={name: ["Give a single value."]})


def json_object(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict) or hasattr(data, "getlist"):
        raise Problem(400, "The request body must be a JSON object of field names and values.")
    return data


def json_list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise Problem(400, f"Check {name}.", errors={name: ["Give a list."]})
    return value


def json_objects(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = json_list(data, name)
    for index, item in enumerate(found):
        if not isinstance(item, dict):
            raise Problem(400, f"Check {name}.", errors={f"{name}.{index}": ["Give an object."]})
    return found


def assessment_fields(data: dict[str, Any], flat: dict[str, str]) -> dict[int, int]:
    """`self_assessments` [{principle, readiness, priority, narrative}] as the form's fields
    (readiness_N, …, N the principle's number); returns each principle's place in the list."""
    places: dict[int, int] = {}
    for index, item in enumerate(json_objects(data, "self_assessments")):
        number = item.get("principle")
        if not isinstance(number, int) or isinstance(number, bool) or number in places:
            raise Problem(
                400,
                "Check self_assessments.",
                errors={
                    f"self_assessments.{index}.principle": ["Give each principle's number once."]
                },
            )
        places[number] = index
        for name in ("readiness", "priority", "narrative"):
            flat[f"{name}_{number}"] = text(item.get(name), f"self_assessments.{index}.{name}")
    return places


def assessment_errors(errors: dict[str, list[str]], places: dict[int, int]) -> dict[str, list[str]]:
    """The form's errors on readiness_N… named by their place in `self_assessments`."""
    named: dict[str, list[str]] = {}
    for key, messages in errors.items():
        base, _, number = key.rpartition("_")
        if base in ("readiness", "priority", "narrative") and number.isdigit():
            place = places.get(int(number))
            if place is None:
                named.setdefault("self_assessments", []).extend(
                    f"Principle {number}: {base}: {m}" for m in messages
                )
                continue
            key = f"self_assessments.{place}.{base}"
        named.setdefault(key, []).extend(messages)
    return named


def checked(
    form: forms.Form, rename: Callable[[dict[str, list[str]]], dict[str, list[str]]]
) -> None:
    """A 400 problem naming the body's own paths when the form is not valid."""
    if form.is_valid():
        return
    errors = form_errors(form)
    for index, row in enumerate(getattr(form, "activities", [])):
        for name, messages in form_errors(row).items():
            errors[f"activities.{index}.{name}"] = messages
    activities = getattr(form, "activities", None)
    if activities is not None and activities.non_form_errors():
        errors["activities"] = list(activities.non_form_errors())
    errors = rename(errors)
    names = [n for n in errors if n != NON_FIELD]
    detail = "Check " + ", ".join(names) + "." if names else " ".join(errors.get(NON_FIELD, []))
    raise Problem(400, detail or "The request is not valid.", errors=errors)


def commitment_data(request: Request) -> tuple[MultiValueDict, dict[int, int]]:
    data = json_object(request)
    flat = {
        name: text(data.get(name), name)
        for name in ("principle", "success_criteria", "starts_on", "ends_on", "note")
    }
    objectives = data.get("objectives")
    flat["objectives"] = (
        "\n".join(text(o, f"objectives.{n}") for n, o in enumerate(objectives))
        if isinstance(objectives, list)
        else text(objectives, "objectives")
    )
    activities = json_objects(data, "activities")
    flat["activities-TOTAL_FORMS"] = str(len(activities))
    flat["activities-INITIAL_FORMS"] = "0"
    for index, item in enumerate(activities):
        for name in ("detail", "owner", "due_on"):
            flat[f"activities-{index}-{name}"] = text(item.get(name), f"activities.{index}.{name}")
    places = assessment_fields(data, flat)
    return MultiValueDict({k: [v] for k, v in flat.items()}), places


# The request bodies, by hand where a list stands for several of a form's fields.
ASSESSMENT = {
    "type": "object",
    "required": ["principle", "readiness", "priority"],
    "properties": {
        "principle": {"type": "integer", "description": "The principle's number."},
        "readiness": {"type": "string", "enum": list(Readiness.values)},
        "priority": {"type": "string", "enum": list(Priority.values)},
        "narrative": {"type": "string"},
    },
}
ASSESSMENTS = {
    "type": "array",
    "items": ASSESSMENT,
    "description": "One per principle of the scheme as now worded. Errors are named "
    "`self_assessments.<place in this list>.<field>`.",
}
COMMITMENT_BODY = {
    "type": "object",
    "required": ["principle", "objectives", "success_criteria", "starts_on", "ends_on"],
    "properties": {
        "principle": {"type": "integer", "description": "The principle version's id."},
        "objectives": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Each objective, reviewed one by one.",
        },
        "success_criteria": {"type": "string"},
        "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"},
        "note": {"type": "string"},
        "activities": {
            "type": "array",
            "maxItems": 30,
            "description": "At least one: what will be done, by whom, by when. Errors are "
            "named `activities.<place>.<field>`.",
            "items": {
                "type": "object",
                "properties": {
                    "detail": {"type": "string", "maxLength": 1000},
                    "owner": {"type": "string", "maxLength": 200},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
        },
        "self_assessments": ASSESSMENTS,
    },
}
REVIEW_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["held_on", "outcome", "objective_outcomes", "evidence", "decision"],
    "properties": {
        **{
            name: field_schema(field)
            for name, field in ReviewForm.base_fields.items()
            if name not in ("objective_outcomes",)
        },
        "objective_outcomes": {
            "type": "array",
            "items": field_schema(ReviewForm.base_fields["outcome"]),
            "description": "The outcome of each of the cycle's objectives, in order. Errors "
            "are named `objective_outcomes.<place>`.",
        },
    },
}
EMPLOYER_VIEW_BODY = {
    "type": "object",
    "required": ["self_assessments"],
    "properties": {
        "priorities": field_schema(EmployerViewForm.base_fields["priorities"]),
        "self_assessments": ASSESSMENTS,
    },
}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": schema}
