"""Intercom against the sandbox, and the examples of its OpenAPI description."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.chat.intercom import intercom_source
from connectors.common import HttpOptions
from connectors.http import VendorRegistry
from tests.connectors.harness import (
    EVERYTHING,
    VendorCase,
    assert_bad_credential_named,
    run_lifecycle,
)
from tests.connectors.spec_examples import (
    ROOT,
    assert_loaded_whole,
    documented_example,
    pipeline,
    serving,
)

CASE = VendorCase(
    name="intercom",
    prefix="intercom",
    source=intercom_source,
    tables={
        "conversations": (("id",), "updated_at"),
        "conversation_parts": (("id",), "updated_at"),
        "admins": (("id",), None),
        "teams": (("id",), None),
    },
    # one search page, one retrieval per changed conversation, admins, teams
    second_run_requests=lambda run: 3 + run.rows_by_table["conversations"],
)


def test_runs_are_incremental_exact_and_survive_faults_and_a_crash(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_lifecycle(CASE, embedded_warehouse, unique_name, tmp_path, caplog)


def test_a_refused_token_names_the_setting(embedded_warehouse: Warehouse, tmp_path: Path) -> None:
    assert_bad_credential_named(CASE, "access_token", "wrong-token-42", tmp_path)


def test_the_examples_of_the_api_description_load_whole(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    spec = "intercom-2.15.yaml"
    found = documented_example(spec, "/conversations/search", "post", "successful")
    conversation = documented_example(
        spec, "/conversations/{conversation_id}", "get", "conversation found"
    )
    admins = documented_example(spec, "/admins", "get", "Successful response")
    with serving() as vendor:
        vendor.post(f"{ROOT}/conversations/search", json=found)
        vendor.get(f"{ROOT}/conversations/515", json=conversation)
        vendor.get(f"{ROOT}/admins", json=admins)
        vendor.get(f"{ROOT}/teams", json={"type": "team.list", "teams": []})
        source = intercom_source(
            access_token="spec-token-123456",
            base_url=ROOT,
            start_date=EVERYTHING,
            http=HttpOptions(registry=VendorRegistry()),
        )
        pipeline(unique_name, tmp_path).run(source)

    parts = [
        {**part, "conversation_id": "515"}
        for part in conversation["conversation_parts"]["conversation_parts"]
    ]
    wh = embedded_warehouse
    assert_loaded_whole(wh, unique_name, "conversations", "id", found["conversations"])
    assert_loaded_whole(wh, unique_name, "conversation_parts", "id", parts)
    assert_loaded_whole(wh, unique_name, "admins", "id", admins["admins"])
