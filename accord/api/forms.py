"""The API asks with the pages' own forms: a request's JSON (or multipart) body is bound to the
same Django form the page uses, so the API checks exactly what the page checks and answers with
the same messages, by field name. `form_schema` describes a form in OpenAPI, so the schema
follows the forms too."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request

from .problems import NON_FIELD, Problem

Schema = dict[str, Any]


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return str(value)
    # An object where a single value belongs: kept as text, which the field will refuse.
    return str(value)


def bound_data(request: Request) -> tuple[MultiValueDict, MultiValueDict | None]:
    """The request body as a form's `data` and `files`. A JSON body must be an object; a list
    stands for the several values of a multiple choice."""
    data = request.data
    if isinstance(data, dict) and not hasattr(data, "getlist"):
        values: dict[str, list[Any]] = {}
        for name, value in data.items():
            items = value if isinstance(value, list) else [value]
            values[str(name)] = [_scalar(item) for item in items]
        return MultiValueDict(values), None
    if hasattr(data, "getlist"):
        # Form or multipart: a QueryDict; its files are in request.FILES.
        return data, request.FILES
    raise Problem(400, "The request body must be a JSON object of field names and values.")


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    """The form's errors by field name, its whole-form errors under `non_field_errors`."""
    return {
        (NON_FIELD if name == "__all__" else name): [e["message"] for e in errors]
        for name, errors in form.errors.get_json_data().items()
    }


def check(form: forms.BaseForm) -> dict[str, Any]:
    """`form.cleaned_data`, or a 400 problem naming each field that is wrong."""
    if form.is_valid():
        return form.cleaned_data
    errors = form_errors(form)
    names = [n for n in errors if n != NON_FIELD]
    detail = "Check " + ", ".join(names) + "." if names else " ".join(errors.get(NON_FIELD, []))
    raise Problem(400, detail or "The request is not valid.", errors=errors)


# --- the forms in OpenAPI ---------------------------------------------------------------------


def _choices(field: forms.ChoiceField) -> list[Any]:
    try:
        return [value for value, _ in field.choices if value not in ("", None)]
    except TypeError:  # choices that need a request to be known
        return []


def field_schema(field: forms.Field) -> dict[str, Any]:
    """One form field as an OpenAPI schema."""
    schema: dict[str, Any]
    if isinstance(field, forms.ModelMultipleChoiceField):
        schema = {"type": "array", "items": {"type": "integer"}}
    elif isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer"} if not field.to_field_name else {"type": "string"}
    elif isinstance(field, forms.MultipleChoiceField):
        schema = {"type": "array", "items": {"type": "string"}}
        if choices := _choices(field):
            schema["items"]["enum"] = [str(c) for c in choices]
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string"}
        if choices := _choices(field):
            schema["enum"] = [str(c) for c in choices]
    elif isinstance(field, forms.BooleanField | forms.NullBooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, forms.DecimalField | forms.FloatField):
        schema = {"type": "number"}
    elif isinstance(field, forms.FileField):
        schema = {"type": "string", "format": "binary"}
    else:
        schema = {"type": "string"}
        if isinstance(field, forms.EmailField):
            schema["format"] = "email"
        max_length = getattr(field, "max_length", None)
        if max_length:
            schema["maxLength"] = max_length
        if field.required:
            # A required text is refused empty, or only spaces, which Django strips.
            schema["minLength"] = 1
            schema["pattern"] = r"\S"
    description = " ".join(str(t) for t in (field.label or "", field.help_text or "") if t)
    if description:
        schema["description"] = description
    return schema


def form_schema(
    form: type[forms.BaseForm] | forms.BaseForm, *, skip: tuple[str, ...] = ()
) -> Schema:
    """The request body a form asks for, as an OpenAPI object schema: of a form class, its
    declared fields; of a form, its fields as made (those its `__init__` adds included)."""
    declared = form.base_fields if isinstance(form, type) else form.fields
    fields = {
        name: field
        for name, field in declared.items()
        if name not in skip and not isinstance(field.widget, forms.HiddenInput)
    }
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: field_schema(field) for name, field in fields.items()},
    }
    required = [name for name, field in fields.items() if field.required]
    if required:
        schema["required"] = required
    return schema


def takes_files(form_class: type[forms.BaseForm]) -> bool:
    return any(isinstance(f, forms.FileField) for f in form_class.base_fields.values())


def form_request(form_class: type[forms.BaseForm], *, skip: tuple[str, ...] = ()) -> Schema:
    """The `request` of `extend_schema` for an operation that asks with `form_class`: JSON, or
    multipart when the form takes files."""
    schema = form_schema(form_class, skip=skip)
    if takes_files(form_class):
        return {"multipart/form-data": schema}
    return {"application/json": schema, "multipart/form-data": schema}


F = TypeVar("F", bound=forms.BaseForm)


MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def _single_values(form_class: type[forms.BaseForm], request: Request) -> None:
    """A 400 naming each field given a list or an object where one value belongs."""
    if not isinstance(request.data, dict) or hasattr(request.data, "getlist"):
        return
    wrong = {
        name: ["Expected one value, not a list or an object."]
        for name, value in request.data.items()
        if name in form_class.base_fields
        and not isinstance(form_class.base_fields[name], MULTIPLE)
        and isinstance(value, list | dict)
    }
    wrong |= {
        name: ["Expected a list of values."]
        for name, value in request.data.items()
        if name in form_class.base_fields
        and isinstance(form_class.base_fields[name], MULTIPLE)
        and isinstance(value, dict)
    }
    if wrong:
        raise Problem(400, "Check " + ", ".join(wrong) + ".", errors=wrong)


def bind(form_class: type[F], request: Request, **kwargs: Any) -> F:
    """`form_class` bound to the request's body, as the page binds it to the POST."""
    _single_values(form_class, request)
    data, files = bound_data(request)
    return form_class(data, files, **kwargs)
