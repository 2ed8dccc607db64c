"""The schema served at /api/v1/schema/ is a valid OpenAPI 3 document, by an outside validator
(openapi-spec-validator), in both the JSON and the YAML it is served as."""

from __future__ import annotations

import json

import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def _served(accept: str) -> bytes:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_the_served_json_schema_is_valid_openapi() -> None:
    schema = json.loads(_served("application/vnd.oai.openapi+json"))
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_the_served_yaml_schema_is_the_same_document() -> None:
    json_schema = json.loads(_served("application/vnd.oai.openapi+json"))
    assert yaml.safe_load(_served("application/vnd.oai.openapi")) == json_schema
