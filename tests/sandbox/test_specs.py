"""Answers of Intercom, BambooHR and Zendesk QA validate against the vendors' own descriptions.

The descriptions are in ../shared/vendor-specs/ (see its README). Each case names the path and
method as the description spells them, and the request the sandbox answers.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator

from tests.sandbox.conftest import Client
from tests.shared import shared_dir

SPECS = shared_dir() / "vendor-specs"


@cache
def _spec(name: str) -> dict[str, Any]:
    text = (SPECS / name).read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=loader)
    assert isinstance(loaded, dict)
    return loaded


def _schema(name: str, path: str, method: str) -> tuple[dict[str, Any], Any]:
    """The 200 response schema with the document's components alongside, and its validator."""
    spec = _spec(name)
    operation = spec["paths"][path][method]
    response = operation["responses"]["200"]
    if "swagger" in spec:
        schema = dict(response["schema"], definitions=spec["definitions"])
        return schema, jsonschema.Draft4Validator
    schema = dict(response["content"]["application/json"]["schema"], components=spec["components"])
    validator = OAS31Validator if spec["openapi"].startswith("3.1") else OAS30Validator
    return schema, validator


def _validate(name: str, path: str, method: str, payload: Any) -> None:
    schema, validator = _schema(name, path, method)
    errors = sorted(validator(schema).iter_errors(payload), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


INTERCOM = "intercom-2.15.yaml"
BAMBOOHR = "bamboohr.yaml"
QA = "zendesk-qa-klaus-export.json"

CASES = [
    (INTERCOM, "/admins", "get", "intercom", "GET", "/admins", None),
    (INTERCOM, "/teams", "get", "intercom", "GET", "/teams", None),
    (INTERCOM, "/contacts", "get", "intercom", "GET", "/contacts?per_page=20", None),
    (
        INTERCOM,
        "/conversations/search",
        "post",
        "intercom",
        "POST",
        "/conversations/search",
        {
            "query": {"field": "updated_at", "operator": ">", "value": 0},
            "pagination": {"per_page": 50},
        },
    ),
    (INTERCOM, "/conversations", "get", "intercom", "GET", "/conversations?per_page=20", None),
    (
        BAMBOOHR,
        "/api/v1/employees/directory",
        "get",
        "bamboohr",
        "GET",
        "/api/v1/employees/directory",
        None,
    ),
    (
        BAMBOOHR,
        "/api/v1/employees/changed",
        "get",
        "bamboohr",
        "GET",
        "/api/v1/employees/changed?since=2024-01-01T00:00:00Z",
        None,
    ),
    (
        BAMBOOHR,
        "/api/v1/employees/{id}",
        "get",
        "bamboohr",
        "GET",
        "/api/v1/employees/101?fields=firstName,lastName,workEmail,hireDate,terminationDate,"
        "status,department",
        None,
    ),
    (BAMBOOHR, "/api/v1/employees", "get", "bamboohr", "GET", "/api/v1/employees", None),
    (
        BAMBOOHR,
        "/api/v1/reports/custom",
        "post",
        "bamboohr",
        "POST",
        "/api/v1/reports/custom?format=JSON&onlyCurrent=false",
        {
            "title": "agents",
            "fields": [
                "id",
                "workEmail",
                "hireDate",
                "terminationDate",
                "terminationType",
                "department",
                "payRate",
                "payType",
            ],
        },
    ),
    (QA, "/api/export/workspaces", "get", "zendesk-qa", "GET", "/api/export/workspaces", None),
    (QA, "/api/export/users", "get", "zendesk-qa", "GET", "/api/export/users", None),
    (
        QA,
        "/api/export/reviews",
        "get",
        "zendesk-qa",
        "GET",
        "/api/export/reviews?fromDate=2026-01-01T00:00:00Z",
        None,
    ),
    (
        QA,
        "/api/export/workspace/{workspace}/reviews",
        "get",
        "zendesk-qa",
        "GET",
        "/api/export/workspace/101/reviews?fromDate=2026-01-01T00:00:00Z&pageSize=10",
        None,
    ),
    (
        QA,
        "/api/export/workspace/{workspace}/calibration-sessions",
        "get",
        "zendesk-qa",
        "GET",
        "/api/export/workspace/101/calibration-sessions?fromDate=2026-01-01T00:00:00Z",
        None,
    ),
]


@pytest.mark.parametrize(
    ("spec", "spec_path", "spec_method", "vendor", "method", "path", "body"),
    CASES,
    ids=[f"{c[3]}:{c[1]}" for c in CASES],
)
def test_answers_validate(
    client: Client,
    spec: str,
    spec_path: str,
    spec_method: str,
    vendor: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    answer = client.call(method, f"/{vendor}{path}", body=body, headers=client.auth(vendor))
    assert answer.status == 200, answer.body[:300]
    payload = answer.json()
    _validate(spec, spec_path, spec_method, payload)


def test_retrieved_conversation_with_parts_validates(client: Client) -> None:
    found = client.post(
        "intercom",
        "/conversations/search",
        {"query": {"field": "state", "operator": "=", "value": "closed"}},
    )
    for row in found.json()["conversations"][:5]:
        answer = client.get("intercom", f"/conversations/{row['id']}")
        _validate(INTERCOM, "/conversations/{conversation_id}", "get", answer.json())


ERRORS = [
    (INTERCOM, "/admins", "get", "401", "intercom", "/admins"),
]


@pytest.mark.parametrize(
    ("spec", "spec_path", "method", "status", "vendor", "path"), ERRORS, ids=["intercom-401"]
)
def test_error_bodies_validate(
    client: Client, spec: str, spec_path: str, method: str, status: str, vendor: str, path: str
) -> None:
    answer = client.call("GET", f"/{vendor}{path}", headers={"Authorization": "Bearer no"})
    assert answer.status == int(status)
    document = _spec(spec)
    content = document["paths"][spec_path][method]["responses"][status]["content"]
    schema = dict(content["application/json"]["schema"], components=document["components"])
    assert not list(OAS30Validator(schema).iter_errors(answer.json()))
