"""Zendesk QA against the sandbox and the export API description."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.common import HttpOptions
from connectors.http import VendorRegistry
from connectors.qa.zendesk_qa import zendesk_qa_source
from tests.connectors.harness import (
    VendorCase,
    assert_bad_credential_named,
    run_lifecycle,
)
from tests.connectors.spec_examples import (
    ROOT,
    answer_schema,
    assert_loaded_whole,
    from_schema,
    pipeline,
    serving,
)

SPEC = "zendesk-qa-klaus-export.json"

CASE = VendorCase(
    name="zendesk_qa",
    prefix="zendesk-qa",
    source=zendesk_qa_source,
    tables={
        "reviews": (("id",), "updated_iso"),
        "users": (("id",), None),
        "workspaces": (("id",), None),
    },
    # one page of reviews changed since the last run, users, workspaces
    second_run_requests=3,
    crash_after_requests=1,
    contacts_per_day=150,
)


def test_runs_are_incremental_exact_and_survive_faults_and_a_crash(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_lifecycle(CASE, embedded_warehouse, unique_name, tmp_path, caplog)


def test_a_refused_credential_names_the_setting(
    embedded_warehouse: Warehouse, tmp_path: Path
) -> None:
    assert_bad_credential_named(CASE, "api_token", "wrong-credential-42", tmp_path)


def test_answers_shaped_by_the_api_description_load_whole(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    reviews = from_schema(SPEC, answer_schema(SPEC, "/api/export/reviews", "get"))
    users = from_schema(SPEC, answer_schema(SPEC, "/api/export/users", "get"))
    workspaces = from_schema(SPEC, answer_schema(SPEC, "/api/export/workspaces", "get"))
    with serving() as vendor:
        vendor.get(f"{ROOT}/api/export/reviews", json=reviews)
        vendor.get(f"{ROOT}/api/export/users", json=users)
        vendor.get(f"{ROOT}/api/export/workspaces", json=workspaces)
        source = zendesk_qa_source(
            api_token="spec-token-123456",
            base_url=ROOT,
            start_date="2026-01-01T00:00:00Z",
            http=HttpOptions(registry=VendorRegistry()),
        )
        pipeline(unique_name, tmp_path).run(source)

    rows = [
        {**review, "conversation": {k: v for k, v in conversation.items() if k != "reviews"}}
        for conversation in reviews["conversations"]
        for review in conversation["reviews"]
    ]
    wh = embedded_warehouse
    assert_loaded_whole(wh, unique_name, "reviews", "id", rows)
    assert_loaded_whole(wh, unique_name, "users", "id", users["users"])
    assert_loaded_whole(wh, unique_name, "workspaces", "id", workspaces["workspaces"])
